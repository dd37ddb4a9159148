"""What ``seed_demo`` prints: the counts it wrote, where the demo is served, the demo logins."""

from __future__ import annotations

from collections import Counter

from django.conf import settings

from sscard.accounts.models import Person, User
from sscard.applications.constants import AppStatus, ItemCode
from sscard.applications.models import Application
from sscard.applications.selectors import applications_overdue
from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.demo.seed.reference import DEMO_PASSWORD, DEMO_TOTP_SECRET, STAFF_PASSWORD
from sscard.production.constants import BatchStatus, Stage
from sscard.production.models import Batch, ProductionOrder

LOGIN_TABLE = (
    (
        "demo_admin",
        STAFF_PASSWORD,
        "系统管理员（超级用户）",
        "/staff/：统计看板、审计日志；/admin/：地区业务设置、合作银行、网点、节假日（2027年暂定）、"
        "账号与权限组",
    ),
    (
        "demo_reviewer",
        STAFF_PASSWORD,
        "审核人员",
        "/staff/：审核队列（待受理、待审核、退回补正；临近时限与已超期）、受理/审核通过/退回补正/"
        "不予受理、显示完整信息、窗口代办、统计看板",
    ),
    (
        "demo_producer",
        STAFF_PASSWORD,
        "制卡管理员",
        "各阶段制卡订单：待数据录入、制卡中、制卡失败、已寄出（快递单号）；"
        "各合作银行的制卡批次（已发送、已接收、已完成）",
    ),
    (
        "demo_clerk",
        STAFF_PASSWORD,
        "网点柜员（榕城区·工商银行揭阳分行营业部）",
        "/staff/：网点签收（2张待签收）、核验身份后发卡、网点预约（未来两个工作日的领卡预约，"
        "已到/未到）、窗口代办七个事项",
    ),
    (
        "demo_card",
        DEMO_PASSWORD,
        "个人",
        "本人社保卡“正常”：挂失、换卡、信息变更、应用状态与制卡进度查询",
    ),
    ("demo_nocard", DEMO_PASSWORD, "个人", "尚无社保卡、无在办申请：社会保障卡申领"),
    (
        "demo_guardian",
        DEMO_PASSWORD,
        "个人（监护人）",
        "本人卡正常；为两名未满16周岁子女代办：一名子女卡“正常”，一名子女卡“制卡中”（邮寄）",
    ),
    (
        "demo_pickup",
        DEMO_PASSWORD,
        "个人",
        "社保卡已到 demo_clerk 的网点（网点签收）：我的办件中预约领卡时段，出示预约二维码",
    ),
    ("demo_lost", DEMO_PASSWORD, "个人", "社保卡已“正式挂失”：补卡（补换卡）"),
    (
        "demo_employer",
        DEMO_PASSWORD,
        "单位",
        "揭阳市榕江智造电子科技有限公司：职工批量申领，各办理阶段的职工申请与制卡进度",
    ),
    (
        "demo_employer_new",
        DEMO_PASSWORD,
        "单位（待审核）",
        "刚注册、营业执照待审核：可下载模板，审核通过前不能批量申领；"
        "demo_reviewer 在 /staff/employers/ 审核",
    ),
)


def login_table() -> list[str]:
    lines = ["| 用户名 | 密码 | 角色 | 演示内容 |", "|---|---|---|---|"]
    lines += [f"| {u} | `{p}` | {r} | {s} |" for u, p, r, s in LOGIN_TABLE]
    return lines


def address_lines() -> list[str]:
    """Where the demo is served (``SSCARD_PUBLIC_URL``, which ``make demo HOST=…`` sets), the
    same address every text and message links to."""
    base = settings.SSCARD_PUBLIC_URL.rstrip("/")
    lines = [f"市民门户“智慧人社”（请用手机尺寸打开）：{base}/"]
    if settings.SSCARD_SMS_SIMULATOR:
        lines += [f"短信收件箱（演示用，验证码和通知短信在此查看）：{base}/sms-sim/"]
    if settings.SSCARD_PAYMENT_SIMULATOR:
        lines += [f"模拟支付网关（演示用，补换卡工本费在此支付，不产生真实扣款）：{base}/pay-sim/"]
    return lines


def staff_login_lines() -> list[str]:
    base = settings.SSCARD_PUBLIC_URL.rstrip("/")
    return [
        f"工作人员登录业务经办后台 {base}/staff/ ：账号、密码和6位动态验证码。",
        f"演示工作人员的动态验证码密钥（TOTP，添加到身份验证器）：{DEMO_TOTP_SECRET}",
        "或运行 .venv/bin/python manage.py staff_totp demo_reviewer --code 显示当前动态验证码"
        "（每个验证码只能使用一次，30秒更新）。",
    ]


def summary() -> list[str]:
    cards = Counter(Card.objects.values_list("status", flat=True))
    items = Counter(Application.objects.values_list("item", "status"))
    stages = Counter(ProductionOrder.objects.values_list("stage", flat=True))
    batches = Counter(Batch.objects.values_list("status", flat=True))
    lines = [
        f"人员 {Person.objects.count()} 人，账号 {User.objects.count()} 个，"
        f"社保卡 {sum(cards.values())} 张，办件 {sum(items.values())} 件，"
        f"制卡订单 {sum(stages.values())} 个，超期办件 {applications_overdue().count()} 件",
        "社保卡：" + "，".join(f"{CardStatus(s).label} {cards[s]}" for s in CardStatus.values),
        "制卡进度：" + "，".join(f"{Stage(s).label} {stages[s]}" for s in Stage.values),
        "制卡批次：" + "，".join(f"{BatchStatus(b).label} {batches[b]}" for b in BatchStatus),
    ]
    for item in ItemCode.values:
        counts = [
            f"{AppStatus(s).label} {items[item, s]}" for s in AppStatus.values if items[item, s]
        ]
        if counts:
            lines.append(f"{ItemCode(item).label}：" + "，".join(counts))
    return lines
