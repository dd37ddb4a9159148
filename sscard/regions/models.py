"""The deployment's region: its tunable business settings, outlets,
cooperating banks and the administrator's holiday table."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from sscard.core.trust import Action, TrustLevel, default_action_levels

LEVEL_LABELS = [level.label for level in (TrustLevel.L3, TrustLevel.L3_PLUS, TrustLevel.L4)]


def default_step_up_items() -> list[str]:  # kept for the migrations that name it
    return ["cancel_loss", "enable"]


def validate_action_levels(value: object) -> None:
    if not isinstance(value, dict):
        raise ValidationError("请按“事项: 等级”的格式填写")
    unknown = set(value) - set(Action)
    if unknown:
        raise ValidationError(f"未知的事项：{'、'.join(sorted(unknown))}")
    bad = {level for level in value.values() if level not in LEVEL_LABELS}
    if bad:
        raise ValidationError(f"等级只能是 {'、'.join(LEVEL_LABELS)}")


class PaidFeeGoesTo(models.TextChoices):
    """Where an application goes once its fee is paid online (``paid_fee_goes_to``)."""

    REVIEW = "review", "进入审核"
    PRODUCTION = "production", "符合条件的直接制卡"


class RegionSettings(models.Model):
    """One row per deployment; :func:`sscard.regions.selectors.region_settings` reads it."""

    region_code = models.CharField("发卡地区代码", max_length=6, default="445200", unique=True)
    region_name = models.CharField("发卡地区", max_length=40, default="揭阳市")
    guardian_age = models.PositiveSmallIntegerField(
        "监护人代办年龄上限（周岁，不含）",
        default=16,
        help_text="未满该年龄的中国公民可由监护人代办。",
    )
    photo_exempt_age = models.PositiveSmallIntegerField(
        "免交照片年龄（周岁，不含）", default=0, help_text="0 表示一律需要照片。"
    )
    action_levels = models.JSONField(
        "各事项所需的身份认证等级",
        default=default_action_levels,
        validators=[validate_action_levels],
        help_text=(
            "L3：账号密码登录；L3+：账号密码登录并通过发送至档案预留手机的短信验证码验证；"
            "L4：人脸识别登录。未列出的事项按默认等级。事项代码："
            + "，".join(f"{action.value}（{action.label}）" for action in Action)
        ),
    )
    temporary_loss_days = models.PositiveSmallIntegerField(
        "临时挂失有效天数", default=10, validators=[MinValueValidator(1)]
    )
    formal_loss_at_counter = models.BooleanField(
        "正式挂失须到网点柜台办理",
        default=False,
        help_text=(
            "勾选后，线上不再办理正式挂失（临时挂失、解挂照常），页面提示持卡人携带有效身份证件"
            "到网点柜台办理，并可预约网点；不勾选时线上即可办理正式挂失，也可预约到柜台办理。"
        ),
    )
    expiry_replace_days = models.PositiveSmallIntegerField("到期前可换卡天数", default=60)
    # Fees in 分 (integers, never floats): 0 is free. Collected online before review when the
    # deployment takes payments (SSCARD_PAYMENTS, sscard.payments).
    reissue_fee_fen = models.PositiveIntegerField(
        "补换卡工本费（分）",
        default=2000,
        validators=[MaxValueValidator(100000)],
        help_text="以分为单位，2000 即 ¥20.00；0 表示免费。",
    )
    apply_fee_fen = models.PositiveIntegerField(
        "申领工本费（分）",
        default=2000,
        validators=[MaxValueValidator(100000)],
        help_text="以分为单位；勾选“首次申领免费”时，首次申领不收取。0 表示免费。",
    )
    first_issue_free = models.BooleanField("首次申领免费", default=True)
    postage_fen = models.PositiveIntegerField(
        "邮寄费（分）",
        default=0,
        validators=[MaxValueValidator(100000)],
        help_text="选择邮寄领卡时另收的费用，以分为单位；0 表示免费。",
    )
    payment_days = models.PositiveSmallIntegerField(
        "待缴费保留天数（自然日）",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="提交后超过该天数（自然日）仍未缴费的办件，关闭为“未缴费”（1–30天）。",
    )
    payment_order_minutes = models.PositiveSmallIntegerField(
        "支付订单有效时间（分钟）",
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
        help_text="每次“去支付”生成的支付订单超过该时间未支付即失效，可在“我的办件”重新支付。",
    )
    paid_fee_goes_to = models.CharField(
        "缴费后办件去向",
        max_length=10,
        choices=PaidFeeGoesTo.choices,
        default=PaidFeeGoesTo.REVIEW,
        help_text=(
            "在线缴费后，办件进入审核（已提交，由审核人员受理、审核），或直接制卡：本人或监护人"
            "办理的补换卡，沿用档案中已审核的照片、无需人工核对（卡面信息变更、其他原因换卡、"
            "填写了备注、账号有异常标记的除外）的，由系统自动受理、审核通过并进入制卡；"
            "其余办件仍进入审核。"
        ),
    )
    excluded_doc_types = models.JSONField(
        "不支持线上办理的证件类型",
        default=list,
        blank=True,
        help_text="填写证件类型代码，如 passport。",
    )
    excluded_issuing_areas = models.JSONField(
        "不支持线上补换卡的发卡地区",
        default=list,
        blank=True,
        help_text="填写发卡地区代码。",
    )
    deadline_warning_days = models.PositiveSmallIntegerField("办理时限预警（工作日）", default=3)
    photo_min_kb = models.PositiveSmallIntegerField("照片最小（KB）", default=9)
    photo_max_kb = models.PositiveSmallIntegerField("照片最大（KB）", default=60)
    card_validity_years = models.PositiveSmallIntegerField("社保卡有效期（年）", default=10)
    production_stuck_days = models.PositiveSmallIntegerField(
        "制卡环节滞留提醒（天）",
        default=5,
        validators=[MinValueValidator(1)],
        help_text="制卡订单在数据录入、制卡中或市银行签收环节停留超过该天数，在制卡工作台标记为滞留。",
    )
    uncollected_seal_months = models.PositiveSmallIntegerField(
        "逾期未领取封存（月）",
        default=12,
        validators=[MinValueValidator(1)],
        help_text="网点签收后超过该月数仍未领取的社保卡，标记为逾期封存。",
    )
    batch_download_days = models.PositiveSmallIntegerField(
        "制卡批次完成后可下载（天）",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=(
            "制卡批次完成后超过该天数，合作银行不能再通过接口下载批次明细，"
            "制卡管理员也不能再导出批次文件（含完整个人信息）（1–365天）。"
        ),
    )
    delivery_confirm_days = models.PositiveSmallIntegerField(
        "投递后自动确认收到（天）",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=(
            "邮寄的社保卡在快递显示“已投递”（快递柜、驿站代收等，非本人签收）后超过该天数，"
            "持卡人仍未确认收到的，视为已领卡（1–60天）。"
        ),
    )
    # How long uploaded personal files are kept (sscard.core.storage keeps them encrypted;
    # the periodic jobs delete them, each deletion audited, the page saying it was removed).
    draft_keep_days = models.PositiveSmallIntegerField(
        "草稿保存天数",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="未提交的草稿（含已上传的照片和材料）超过该天数未修改即删除（1–30天）。",
    )
    closed_materials_keep_months = models.PositiveSmallIntegerField(
        "不予通过、已撤回办件的材料保存期限（月）",
        default=24,
        validators=[MinValueValidator(1)],
        help_text=(
            "办件不予通过或撤回后超过该月数，其照片和证件扫描件即删除，办件页面注明"
            "“已超过保存期限删除”。请按本地档案管理规定填写。"
        ),
    )
    employer_upload_keep_days = models.PositiveSmallIntegerField(
        "单位批量申领上传文件保存天数",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=(
            "批次待确认提交或处理失败超过该天数未处理的，自动放弃并删除上传的表格、照片压缩包"
            "和照片（已提交、已放弃的批次当即删除）（1–30天）。"
        ),
    )
    # 网点预约 (sscard.appointments): how far ahead, and the limit after repeated no-shows
    appointment_days_ahead = models.PositiveSmallIntegerField(
        "网点预约可提前天数",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="持卡人可预约今天起该天数内的网点时段（1–60天）。",
    )
    no_show_limit = models.PositiveSmallIntegerField(
        "预约未到次数上限",
        default=3,
        validators=[MinValueValidator(1)],
        help_text="在“未到统计天数”内预约未到达到该次数的，暂停在线预约。",
    )
    no_show_window_days = models.PositiveSmallIntegerField(
        "预约未到统计天数", default=90, validators=[MinValueValidator(1)]
    )
    no_show_pause_days = models.PositiveSmallIntegerField(
        "暂停在线预约天数",
        default=30,
        validators=[MinValueValidator(1)],
        help_text="自最近一次未到的预约日期起算。",
    )

    class Meta:
        verbose_name = "地区业务设置"
        verbose_name_plural = "地区业务设置"

    def __str__(self) -> str:
        return f"{self.region_name}（{self.region_code}）"

    def level_for(self, action: str) -> TrustLevel:
        """The trust level ``action`` needs here: the administrator's, else the default."""
        chosen = {**default_action_levels(), **(self.action_levels or {})}
        return TrustLevel.parse(chosen.get(action, TrustLevel.L3.label))


class Bank(models.Model):
    code = models.CharField("银行代码", max_length=20, unique=True)
    name = models.CharField("银行名称", max_length=60)
    hotline = models.CharField("客服电话", max_length=20, blank=True)
    active = models.BooleanField("合作中", default=True)

    class Meta:
        verbose_name = "合作银行"
        verbose_name_plural = "合作银行"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Outlet(models.Model):
    code = models.CharField("网点代码", max_length=20, unique=True)
    name = models.CharField("网点名称", max_length=80)
    district = models.CharField("所属区县", max_length=20)
    address = models.CharField("地址", max_length=200)
    phone = models.CharField("咨询电话", max_length=30, blank=True)
    opening_hours = models.CharField(
        "营业时间",
        max_length=100,
        blank=True,
        help_text="写入领卡通知，如：周一至周五 8:30-12:00，14:30-17:30（法定节假日除外）",
    )
    bank = models.ForeignKey(
        Bank,
        verbose_name="所属银行",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outlets",
    )
    active = models.BooleanField("营业中", default=True)

    class Meta:
        verbose_name = "服务网点"
        verbose_name_plural = "服务网点"
        ordering = ["district", "code"]

    def __str__(self) -> str:
        return self.name


class HolidayOverride(models.Model):
    """The administrator's holiday table: decides working days for the years the official
    calendar package does not know yet (Mon–Fri otherwise, with a warning)."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日", help_text="勾选表示调休上班；不勾选表示放假。")
    name = models.CharField("说明", max_length=40, blank=True)

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '放假'} {self.name}"
