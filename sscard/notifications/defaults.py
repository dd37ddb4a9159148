"""The templates sscard starts with (written by the data migration ``0002``; administrators
edit them in the admin afterwards). Placeholders in braces: see ``PLACEHOLDERS``."""

from __future__ import annotations

from sscard.notifications.constants import Event

DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    Event.APPLICATION_ACCEPTED: (
        "申请已受理",
        "{name}您好，您的{item}申请已受理，受理编号{receipt}，法定办结日期{due_on}。"
        "可在“智慧人社”查询办理进度；受理回执（可扫码核验真伪）：{receipt_link}",
    ),
    Event.APPLICATION_RETURNED: (
        "申请需补正材料",
        "{name}您好，您的{item}申请（受理编号{receipt}）需补正：{reason}。"
        "请登录“智慧人社”补正后重新提交：{link}",
    ),
    Event.APPLICATION_APPROVED: (
        "申请已审核通过",
        "{name}您好，您的{item}申请（受理编号{receipt}）已审核通过，社保卡{card}即将制作，"
        "制卡进度可在“智慧人社”查询。",
    ),
    Event.APPLICATION_REJECTED: (
        "申请未获通过",
        "{name}您好，您的{item}申请（受理编号{receipt}）{decision}，原因：{reason}。"
        "如有疑问请咨询12333。",
    ),
    Event.PRODUCTION_PRODUCING: (
        "社保卡制作中",
        "{name}您好，您的社保卡{card}已进入制卡环节，制作完成后将另行通知您领取。",
    ),
    Event.PRODUCTION_AT_OUTLET: (
        "社保卡可以领取了",
        "{name}您好，您的社保卡{card}已到达{outlet_name}，地址：{outlet_address}，"
        "营业时间：{opening_hours}。请本人携带有效身份证件前往领取。",
    ),
    Event.PRODUCTION_MAILED: (
        "社保卡已寄出",
        "{name}您好，您的社保卡{card}已寄出，快递单号{tracking_number}，请注意查收。"
        "收到后请在“智慧人社”办理启用。",
    ),
    Event.CARD_RECEIVED: (
        "社保卡已领取",
        "{name}您好，您的社保卡{card}已于{at}领取，现为“封存”状态。"
        "请在“智慧人社”办理“社会保障卡启用”后使用社保功能。如非本人领取，请立即致电12333。",
    ),
    Event.APPOINTMENT_TOMORROW: (
        "网点预约提醒",
        "{name}您好，您预约了明天到{outlet_name}办理{item}，时段：{slot}，预约码：{code}。"
        "地址：{outlet_address}。请携带有效身份证件按时前往；如不能前往，请在“我的办件”中查看。",
    ),
    Event.PAYMENT_PAID: (
        "工本费已缴纳",
        "{name}您好，您的{item}申请（受理编号{receipt}）已缴纳工本费{amount}，申请已进入办理，"
        "办理结果将另行通知。办理进度可在“智慧人社”查询：{link}",
    ),
    Event.PAYMENT_REFUNDED: (
        "工本费将原路退回",
        "{name}您好，您的{item}申请（受理编号{receipt}）所缴工本费{amount}将原路退回"
        "（原因：{reason}），一般1至7个工作日到账。如有疑问请咨询12333。",
    ),
    Event.LOSS_LAPSES_TOMORROW: (
        "临时挂失即将到期",
        "{name}您好，您的社保卡{card}的临时挂失将于{expires_at}到期并自动解除。"
        "如卡确已遗失，请在到期前办理正式挂失。",
    ),
    Event.LOSS_LAPSED: (
        "临时挂失已到期解除",
        "{name}您好，您的社保卡{card}的临时挂失已于{expires_at}到期，社保应用已恢复挂失前状态。"
        "如卡仍未找到，请立即重新挂失。",
    ),
    Event.CARD_UNCOLLECTED: (
        "社保卡尚未领取",
        "{name}您好，您的社保卡{card}已于{signed_on}到达{outlet_name}，至今尚未领取。"
        "地址：{outlet_address}，营业时间：{opening_hours}。请尽快携带有效身份证件前往领取。",
    ),
    Event.CONTACT_CHANGED: (
        "信息变更已办结",
        "{name}您好，您的社保卡信息变更已办结，变更项目：{fields}；办结凭证：{receipt_link}。"
        "不是本人操作？请点此报告（将临时挂失您的社保卡）：{report_link}，或致电12333。",
    ),
    Event.CARD_ENABLED: (
        "社保卡已启用",
        "{name}您好，您的社保卡{card}社保应用已启用，可在“我的电子社保卡”亮码使用：{ecard_link}。"
        "办结凭证：{receipt_link}。"
        "不是本人操作？请点此报告（将临时挂失您的社保卡）：{report_link}，或致电12333。",
    ),
    Event.LOSS_TEMPORARY: (
        "社保卡已临时挂失",
        "{name}您好，您的社保卡{card}已于{at}临时挂失，将于{expires_at}自动解除，其间电子社保卡"
        "暂停使用。如卡确已遗失，请在到期前办理正式挂失。办结凭证：{receipt_link}。"
        "不是本人操作？请点此报告：{report_link}",
    ),
    Event.LOSS_FORMAL: (
        "社保卡已正式挂失",
        "{name}您好，您的社保卡{card}已于{at}正式挂失，原卡及其电子社保卡不能再使用，"
        "可在“智慧人社”办理补卡。办结凭证：{receipt_link}。"
        "不是本人操作？请立即致电12333，并点此报告：{report_link}",
    ),
    Event.LOSS_CANCELLED: (
        "社保卡已解挂",
        "{name}您好，您的社保卡{card}已于{at}解除挂失，恢复挂失前的状态；"
        "我的电子社保卡：{ecard_link}。办结凭证：{receipt_link}。"
        "不是本人操作？请点此报告（将重新临时挂失您的社保卡）：{report_link}",
    ),
    Event.REISSUE_SUBMITTED: (
        "补换卡申请已提交",
        "{name}您好，您的社保卡{card}的补换卡申请已于{at}提交，受理编号{receipt}；"
        "审核通过后原卡将注销。不是本人操作？请点此报告（将临时挂失您的社保卡）：{report_link}",
    ),
    Event.REISSUE_APPROVED: (
        "补换卡已审核通过",
        "{name}您好，您的补换卡申请（受理编号{receipt}）已审核通过：原社保卡{old_card}已注销，"
        "不能再使用；新社保卡{card}即将制作，制卡进度可在“智慧人社”查询。"
        "不是本人操作？请立即致电12333，并点此报告：{report_link}",
    ),
    Event.ACCOUNT_LINKED: (
        "新账号已关联您的身份",
        "{name}您好，{at}有一个新的“智慧人社”账号{account}关联了您的身份信息，"
        "可办理您的社保卡业务。不是本人操作？请点此报告（将临时挂失您的社保卡）：{report_link}",
    ),
    Event.PASSWORD_CHANGED: (
        "登录密码已修改",
        "{name}您好，您的“智慧人社”账号{account}的登录密码已于{at}修改。"
        "不是本人操作？请点此报告（将临时挂失您的社保卡）：{report_link}",
    ),
    Event.WECHAT_BOUND: (
        "账号已绑定微信",
        "{name}您好，您的“智慧人社”账号{account}已于{at}绑定微信，此后可从“揭阳人社”公众号直接登录。"
        "不是本人操作？请点此报告（将临时挂失您的社保卡）：{report_link}",
    ),
    Event.FACE_LOGIN_NEW: (
        "人脸识别登录建立了新账号",
        "{name}您好，{at}有人以您的身份通过人脸识别登录“智慧人社”，并建立了新账号{account}。"
        "不是本人操作？请点此报告（将临时挂失您的社保卡）：{report_link}",
    ),
    Event.ACCOUNT_TAKEN_BACK: (
        "账号已通过人脸识别收回",
        "{name}您好，{at}您通过人脸识别登录，收回了以您身份注册、未验证本人的账号{account}，"
        "该账号原来的密码已失效。不是本人操作？请点此报告（将临时挂失您的社保卡）：{report_link}",
    ),
    Event.EMPLOYER_APPROVED: (
        "单位注册审核通过",
        "{employer}：您单位在“智慧人社”的单位注册已审核通过，现在可以登录单位服务"
        "批量申领社保卡：{link}",
    ),
    Event.EMPLOYER_REFUSED: (
        "单位注册审核未通过",
        "{employer}：您单位在“智慧人社”的单位注册未通过审核，原因：{reason}。"
        "请登录单位服务重新上传营业执照：{link}",
    ),
}
