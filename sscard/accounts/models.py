"""People (持卡人), their accounts, guardianship links and employers.

ID and phone numbers are stored encrypted with a keyed hash beside them for exact lookup and
uniqueness; the database holds no plaintext ID number.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractUser, Permission
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from sscard.core import crypto
from sscard.core.documents import DocType, DocumentError, Gender, age_on, validate_uscc
from sscard.core.fields import EncryptedTextField
from sscard.core.masking import mask_id_number, mask_name, mask_phone, mask_uscc

CITIZEN_ID_TYPES = {DocType.RESIDENT_ID, DocType.HOUSEHOLD}


# Permissions a superuser does not hold by being one (User.has_perm): revealing personal data
# in full is a reviewer's, given by the reviewers' group
ROLE_ONLY_PERMISSIONS = frozenset({"applications.reveal_personal_data"})


def identity_hash(doc_type: str, number: str) -> str:
    """One person, one identity: a resident ID and a household-register entry carry the same
    citizen ID number and name the same person."""
    namespace = "CN" if doc_type in CITIZEN_ID_TYPES else doc_type
    return crypto.blind_index(f"{namespace}:{number}", purpose="identity")


def phone_hash(phone: str) -> str:
    return crypto.blind_index(phone, purpose="phone")


class Person(models.Model):
    doc_type = models.CharField("证件类型", max_length=20, choices=DocType.choices)
    doc_number = EncryptedTextField("证件号码")
    identity_hash = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField("姓名", max_length=60)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    nationality = models.CharField("国籍", max_length=40, default="中国")
    birth_date = models.DateField("出生日期")
    phone = EncryptedTextField("手机号码", blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    address = EncryptedTextField("通讯地址", blank=True)
    postcode = models.CharField("邮政编码", max_length=6, blank=True)
    occupation = models.CharField("职业", max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "持卡人"
        verbose_name_plural = "持卡人"

    def __str__(self) -> str:
        return f"{self.masked_name}（{self.masked_doc_number}）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the lookup hashes in step with the encrypted values they index."""
        self.identity_hash = identity_hash(self.doc_type, self.doc_number)
        self.phone_hash = phone_hash(self.phone) if self.phone else ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            fields = set(update_fields)
            if fields & {"doc_number", "doc_type"}:
                fields.add("identity_hash")
            if "phone" in fields:
                fields.add("phone_hash")
            kwargs["update_fields"] = fields
        super().save(*args, **kwargs)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_doc_number(self) -> str:
        return mask_id_number(self.doc_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_chinese_citizen(self) -> bool:
        return self.doc_type in CITIZEN_ID_TYPES or self.nationality == "中国"

    def age(self, on: date) -> int:
        return age_on(self.birth_date, on)


def uscc_validator(value: str) -> None:
    try:
        validate_uscc(value)
    except DocumentError as exc:
        raise ValidationError(exc.message) from exc


class Employer(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REFUSED = "refused", "未通过"

    name = models.CharField("单位名称", max_length=120)
    uscc = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[uscc_validator]
    )
    contact_name = models.CharField("经办人", max_length=60, blank=True)
    contact_phone = EncryptedTextField("经办人电话", blank=True)
    # A new employer acts only after a reviewer has checked its 营业执照 scan.
    status = models.CharField(
        "审核状态", max_length=10, choices=Status.choices, default=Status.PENDING
    )
    license_file = models.CharField("营业执照扫描件", max_length=200, blank=True, editable=False)
    license_content_type = models.CharField(max_length=60, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        "accounts.User",
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    refusal_reason = models.CharField("未通过原因", max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        permissions = [("review_employer", "可审核单位注册（营业执照）")]
        constraints = [
            # a refusal always tells the employer why
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="employer_refusal_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def masked_uscc(self) -> str:
        return mask_uscc(self.uscc)


class Employment(models.Model):
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="employments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="employments")
    active = models.BooleanField("在职", default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "单位职工"
        verbose_name_plural = "单位职工"
        constraints = [
            models.UniqueConstraint(fields=["employer", "person"], name="one_employment_row"),
        ]

    def __str__(self) -> str:
        return f"{self.employer} · {self.person}"


class Guardianship(models.Model):
    """A guardian may act for a ward while the ward is under the region's guardian age. The
    居民户口簿 and 监护人证明 scans are materials of the application that made the link."""

    class Relationship(models.TextChoices):
        FATHER = "father", "父亲"
        MOTHER = "mother", "母亲"
        OTHER = "other", "其他监护人"

    guardian = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="wards_links")
    ward = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="guardian_links")
    relationship = models.CharField("关系", max_length=10, choices=Relationship.choices)
    active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "监护关系"
        verbose_name_plural = "监护关系"
        constraints = [
            models.UniqueConstraint(fields=["guardian", "ward"], name="one_guardianship_row"),
            models.CheckConstraint(
                condition=~models.Q(guardian=models.F("ward")), name="guardian_is_not_ward"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian.masked_name} → {self.ward.masked_name}"


class User(AbstractUser):
    class Role(models.TextChoices):
        CITIZEN = "citizen", "个人"
        EMPLOYER = "employer", "单位"
        REVIEWER = "reviewer", "审核人员"
        PRODUCER = "producer", "制卡管理员"
        CLERK = "clerk", "网点柜员"
        ADMIN = "admin", "系统管理员"

    role = models.CharField("角色", max_length=10, choices=Role.choices, default=Role.CITIZEN)
    person = models.OneToOneField(
        Person,
        verbose_name="本人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )
    employer = models.ForeignKey(
        Employer,
        verbose_name="所属单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agents",
    )
    outlet = models.ForeignKey(
        "regions.Outlet",
        verbose_name="所属网点",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clerks",
    )

    class Possession(models.TextChoices):
        """How the account proved it belongs to its person."""

        NONE = "", "未验证"
        SMS = "sms", "档案预留手机短信验证码"
        FACE = "face", "人脸识别"
        COUNTER = "counter", "窗口核验"

    possession = models.CharField(
        "本人验证方式", max_length=10, choices=Possession.choices, blank=True, default=""
    )
    possession_at = models.DateTimeField("本人验证时间", null=True, blank=True)
    # “不是本人操作”: the holder reported a change they did not make; staff look at the account
    flagged_at = models.DateTimeField("异常标记时间", null=True, blank=True)
    flag_reason = models.CharField("异常标记原因", max_length=200, blank=True)

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # django-stubs omits it
        verbose_name = "账号"
        verbose_name_plural = "账号"

    @property
    def possession_proved(self) -> bool:
        return bool(self.possession)

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        """Django's, except for :data:`ROLE_ONLY_PERMISSIONS`: those come from a role group
        (or a grant to the account) only, never from being a superuser. Administrators run
        settings, not decisions — an administrator sees 显示完整信息 only when also a
        reviewer."""
        if perm in ROLE_ONLY_PERMISSIONS and self.is_superuser:
            app_label, codename = perm.split(".", 1)
            return (
                self.is_active
                and Permission.objects.filter(
                    models.Q(group__user=self) | models.Q(user=self),
                    content_type__app_label=app_label,
                    codename=codename,
                ).exists()
            )
        return super().has_perm(perm, obj)

    @property
    def audit_label(self) -> str:
        """How the audit trail names the account: staff by user name, the public by account
        number only (citizens often choose their phone or ID number as user name)."""
        if self.role in {self.Role.CITIZEN, self.Role.EMPLOYER}:
            return f"{self.get_role_display()}#{self.pk}"
        return self.username
