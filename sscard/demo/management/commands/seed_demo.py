"""``python manage.py seed_demo``: a Jieyang deployment with a believable history.

What it writes
--------------
* the region settings row (defaults: 揭阳市 445200), five cooperating banks, service outlets
  in the five districts of Jieyang, the administrator's provisional 2027 holidays;
* one staff account per role (``demo_admin``, ``demo_reviewer``, ``demo_producer``,
  ``demo_clerk``) with a permission group per role, plus a counter clerk for every other
  outlet (no password: they only sign for the cards of their outlet in the story);
* the citizen and employer demo logins (``demo_card``, ``demo_nocard``, ``demo_guardian``,
  ``demo_lost``, ``demo_employer``, approved, and ``demo_employer_new``, whose 营业执照 waits in
  the reviewer's queue);
* a couple of hundred people whose cards and applications are spread over every card state,
  every application status and every production stage, some of them near or past the legal
  time limit so that the overdue list has entries;
* the production batches: every order sent to a bank went in a batch of that bank, created
  and sent as the production officer does it, acknowledged by the bank's system before any
  report on it, 已完成 once none of its orders is being made — so the partner simulator takes
  the open ones further (``manage.py simulate_partners``);
* the messages those steps caused (the services write them): each account's 消息中心, read
  when older than a month, and the SMS waiting in the outbox for the worker to deliver.

How
---
Every person's history is a *story*: a list of steps (register, apply, accept, approve,
produce, hand over, enable, report a loss, reissue …) performed through the services, the
same calls the portal and the staff pages make, so the rows, card history, timelines and audit
records are the ones the services write. The steps are spread over the past: while a story
runs, ``django.utils.timezone.now`` reads a story clock (never later than the real time), so
acceptance dates, legal deadlines, receipt numbers, card issue dates and temporary loss
expiry are what they would have been had the steps happened on those days.

One shortcut keeps it fast: enabling a card hashes its 6-digit service password with the
project's password hasher (Argon2, about a third of a second). The named demo cards are
enabled with :data:`DEMO_SERVICE_PASSWORD`; for the crowd the same service runs with one
precomputed hash of :data:`BULK_SERVICE_PASSWORD` standing in for the hashing.

Running it again does nothing but print the logins (the marker is the ``demo_admin`` user).
People, dates and choices are deterministic for a given day (``random.Random(2026)``,
``Faker.seed(2026)``); receipt and card numbers made by the services come from their own
random generators.
"""

from __future__ import annotations

import dataclasses
import logging
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO
from typing import Any
from unittest import mock

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from faker import Faker
from PIL import Image, ImageDraw

from sscard.accounts.models import Employer, Guardianship, Person, User, phone_hash
from sscard.accounts.services import (
    employer_register,
    employment_ensure,
    person_find_or_create,
)
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services as apps_services
from sscard.applications.constants import (
    AppStatus,
    ItemCode,
    ReissueKind,
    ReplaceReason,
)
from sscard.applications.models import Application
from sscard.applications.selectors import applications_overdue
from sscard.audit.services import audit_record
from sscard.backoffice.otp import staff_totp_enrol
from sscard.backoffice.roles import staff_groups_ensure
from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.cards.services import card_expire_temporary_losses
from sscard.core.documents import DocType, Gender, validate_document
from sscard.core.errors import DomainError
from sscard.core.validators import PHONE_RE
from sscard.core.workdays import WorkCalendar
from sscard.employers import review
from sscard.notifications.constants import Channel
from sscard.notifications.models import Message
from sscard.partners.models import Partner
from sscard.photos.samples import sample_portrait
from sscard.photos.uploads import HardenedFile
from sscard.production import services as production
from sscard.production.constants import BatchStatus, Delivery, Stage
from sscard.production.models import Batch, ProductionOrder
from sscard.production.reports import Report, ReportKind, batch_apply_reports
from sscard.regions.models import Bank, HolidayOverride, Outlet, RegionSettings
from sscard.regions.selectors import region_settings, work_calendar
from sscard.testing.ids import resident_id, uscc
from sscard.verification.models import Challenge, Purpose

SEED = 2026
MARKER_USERNAME = "demo_admin"
DEMO_PASSWORD = "Sscard-demo-2026"  # noqa: S105 — published demo credentials
STAFF_PASSWORD = "Sscard-staff-2026!"  # noqa: S105 — published demo credentials
DEMO_SERVICE_PASSWORD = "135790"  # noqa: S105 — 社保服务密码 of the named demo cards
BULK_SERVICE_PASSWORD = "246813"  # noqa: S105 — 社保服务密码 of every other demo card

# ---------------------------------------------------------------------------------------------
# Reference data

# the banks' public customer-service numbers
BANKS = (
    ("ICBC", "中国工商银行", "95588"),
    ("ABC", "中国农业银行", "95599"),
    ("BOC", "中国银行", "95566"),
    ("CCB", "中国建设银行", "95533"),
    ("JYRCB", "广东揭阳农村商业银行", "0663-96138"),
)

# code, name, district, address, phone, bank
# fmt: off
OUTLETS = (
    ("RC01", "中国工商银行揭阳分行营业部", "榕城区",
     "揭阳市榕城区临江北路38号", "0663-8223456", "ICBC"),
    ("RC02", "揭阳农商银行榕城支行", "榕城区",
     "揭阳市榕城区进贤门大道中段128号", "0663-8667788", "JYRCB"),
    ("JD01", "中国农业银行揭阳揭东支行", "揭东区",
     "揭阳市揭东区曲溪街道金溪大道东段18号", "0663-3288520", "ABC"),
    ("JX01", "中国建设银行揭西支行", "揭西县",
     "揭阳市揭西县河婆街道大洋路66号", "0663-5522301", "CCB"),
    ("HL01", "中国银行惠来支行", "惠来县",
     "揭阳市惠来县惠城镇葵山路102号", "0663-6678123", "BOC"),
    ("PN01", "揭阳农商银行普宁流沙支行", "普宁市",
     "揭阳市普宁市流沙大道西段200号", "0663-2233889", "JYRCB"),
    ("PN02", "中国工商银行普宁支行", "普宁市",
     "揭阳市普宁市广达北路9号", "0663-2812345", "ICBC"),
)
# fmt: on
OPENING_HOURS = "周一至周五 8:30-12:00，14:30-17:30（法定节假日除外）"

# The calendar package ships official data up to 2026; the administrator's table carries 2027
# until the State Council publishes it.
HOLIDAYS_2027 = (
    (date(2027, 1, 1), "元旦"),
    (date(2027, 2, 8), "春节"),
    (date(2027, 2, 9), "春节"),
    (date(2027, 2, 10), "春节"),
    (date(2027, 2, 11), "春节"),
    (date(2027, 2, 12), "春节"),
    (date(2027, 4, 5), "清明节"),
    (date(2027, 5, 3), "劳动节"),
    (date(2027, 5, 4), "劳动节"),
    (date(2027, 5, 5), "劳动节"),
)
PROVISIONAL = "（暂定，待国务院办公厅公布后核对）"

# area code of the ID number → district, postcode, streets
# fmt: off
DISTRICTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "445202": ("榕城区", "522000", ("临江北路", "进贤门大道", "新阳路", "东山大道", "马牙路",
                                    "天福路", "榕华大道", "环市北路", "仙桥街道仙滘村")),
    "445203": ("揭东区", "515500", ("金溪大道", "揭东大道", "曲溪街道城西路", "锡场镇锡西村",
                                    "新亨镇新亨大道")),
    "445222": ("揭西县", "515400", ("河婆街道大洋路", "河婆街道环市北路", "棉湖镇兴华路",
                                    "钱坑镇钱东村", "凤江镇新兴路")),
    "445224": ("惠来县", "515200", ("惠城镇葵山路", "惠城镇惠来大道", "神泉镇港口路",
                                    "靖海镇新港路", "隆江镇隆华路")),
    "445281": ("普宁市", "515300", ("流沙大道", "广达北路", "环城北路", "占陇镇占陇大道",
                                    "洪阳镇宝镜路", "梅塘镇梅中路")),
}
# fmt: on
AREA_WEIGHTS = {"445202": 3, "445203": 2, "445222": 2, "445224": 2, "445281": 3}

# fmt: off
OCCUPATIONS = (
    "教师", "医生", "护士", "工程师", "会计", "个体经营", "公司职员", "销售", "司机", "厨师",
    "工人", "农民", "公务员", "自由职业", "退休", "电工", "快递员", "设计师", "餐饮服务",
)
# fmt: on
RETURN_REASONS = (
    ("证件照背景非白色，请重新上传1寸白底免冠彩色电子证件照", "photo"),
    ("通讯地址不完整，请补充门牌号", "address"),
    ("证件照面部不清晰，请重新上传", "photo"),
)
REJECT_REASONS = (
    ("所填证件号码与公安户籍信息不一致，请核对后重新申请", "identity"),
    ("经核查申领人已在外地持有社会保障卡，请先注销原卡", "has_card"),
    ("提交的证件照非本人照片", "false_material"),
)
# the reason category of each kind of correction above (ReturnReason)
RETURN_CODES = {"photo": "photo", "address": "info_mismatch", "delivery": "delivery"}
FAILURE_REASONS = (
    "芯片个人化写入失败",
    "照片质量不合格，制卡厂退回",
    "银行开户信息校验失败",
)
# The published TOTP secret of the demo staff accounts (base32 DEMO_TOTP_SECRET below): add
# it to an authenticator app, or run ``manage.py staff_totp demo_reviewer --code``.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret
DEMO_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # noqa: S105 — published demo credential


def partner_label(bank: Bank) -> str:
    """How the demo's batches name the bank system that took them over: the bank client the
    partner simulator creates for ``bank`` (``manage.py simulate_partners``)."""
    return f"{Partner.Kind.BANK.label}：{bank.name}接口"


def ensure_role_groups() -> dict[str, Group]:
    """The staff role groups of the back office (created by its data migration), reset to
    their explicit permissions. Safe to run again."""
    return staff_groups_ensure()


# ---------------------------------------------------------------------------------------------
# Pictures for the uploads


def _portrait_jpeg() -> bytes:
    """A real 358×441 white-background card photo (every upload is checked against the spec)."""
    return sample_portrait()


def _scan_jpeg(title_lines: int) -> bytes:
    """A drawn stand-in for a scanned document page."""
    image = Image.new("RGB", (800, 560), (246, 243, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, 770, 530), outline=(120, 60, 60), width=3)
    for row in range(title_lines):
        draw.rectangle(
            (70, 80 + row * 52, 730 - (row % 3) * 120, 96 + row * 52), fill=(150, 150, 160)
        )
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _licence() -> HardenedFile:
    """A drawn stand-in for a scanned 营业执照, hardened as an upload would be."""
    scan = SimpleUploadedFile("营业执照.jpg", _scan_jpeg(7), content_type="image/jpeg")
    return review.licence_prepare(scan)


# ---------------------------------------------------------------------------------------------
# The story clock


class StoryClock:
    """Stands in for ``timezone.now`` while the stories run: the moment of the current step,
    never later than the real time at which seeding began."""

    def __init__(self, real_now: datetime) -> None:
        self.ceiling = real_now - timedelta(minutes=5)
        self.at = self.ceiling

    def now(self) -> datetime:
        return self.at

    def set(self, moment: datetime) -> None:
        self.at = min(moment, self.ceiling)

    def advance_to(self, moment: datetime) -> None:
        """Forward only: within one story a step never precedes the one before it."""
        self.at = max(min(moment, self.ceiling), self.at + timedelta(seconds=1))


@contextmanager
def quiet_audit_log() -> Iterator[None]:
    """Every service call logs its audit row at INFO; a few thousand of them are noise here
    (the rows themselves are written as always)."""
    audit_logger = logging.getLogger("sscard.audit")
    level = audit_logger.level
    audit_logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        audit_logger.setLevel(level)


@contextmanager
def story_time(clock: StoryClock) -> Iterator[None]:
    with mock.patch.object(timezone, "now", clock.now):
        yield


# ---------------------------------------------------------------------------------------------
# People and stories


@dataclass
class Profile:
    doc_type: str
    doc_number: str
    name: str
    gender: str
    birth_date: date
    ethnicity: str
    phone: str
    address: str
    postcode: str
    occupation: str
    district: str
    surname: str

    def details(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "gender": self.gender,
            "ethnicity": self.ethnicity,
            "nationality": "中国",
            "birth_date": self.birth_date,
            "phone": self.phone,
            "address": self.address,
            "postcode": self.postcode,
            "occupation": self.occupation,
        }


@dataclass
class Case:
    """One person's story: who acts for them, and what they have so far."""

    by: Requester | None  # the holder, their guardian or their employer; None until registered
    profile: Profile
    bank: Bank
    delivery: str
    outlet: Outlet
    real_enable: bool = False
    relationship: str = ""  # set when a guardian applies
    production_order: ProductionOrder | None = None
    person: Person | None = None
    application: Application | None = None
    card: Card | None = None
    to_correct: str = ""  # what the reviewer asked to correct (退回补正)

    @property
    def requester(self) -> Requester:
        if self.by is None:
            raise CommandError("demo story: nobody acts yet")
        return self.by

    @property
    def app(self) -> Application:
        if self.application is None:
            raise CommandError("demo story: no application yet")
        return self.application

    @property
    def the_card(self) -> Card:
        if self.card is None:
            raise CommandError("demo story: no card yet")
        return self.card

    @property
    def the_person(self) -> Person:
        if self.person is None:
            raise CommandError("demo story: no person yet")
        return self.person

    @property
    def order(self) -> ProductionOrder:
        if self.production_order is None:
            self.production_order = self.app.production_order
        if self.production_order is None:
            raise CommandError("demo story: no production order yet")
        return self.production_order


# step → ("days" | "workdays", low, high): the wait before the step
DELAYS: dict[str, tuple[str, int, int]] = {
    "register": ("days", 0, 0),
    "submit": ("days", 0, 0),
    "accept": ("workdays", 1, 2),
    "return": ("workdays", 1, 3),
    "resubmit": ("days", 1, 5),
    "reject": ("workdays", 1, 3),
    "withdraw": ("days", 0, 4),
    "approve": ("workdays", 1, 3),
    "send": ("workdays", 1, 2),
    "produce": ("workdays", 1, 2),
    "city": ("workdays", 4, 7),
    "outlet": ("workdays", 1, 2),
    "mail": ("workdays", 1, 2),
    "delivered": ("days", 1, 2),
    "fail": ("workdays", 1, 3),
    "collect": ("workdays", 1, 8),
    "enable": ("days", 0, 10),
    "temp_loss": ("days", 20, 400),
    "formal_loss": ("days", 20, 400),
    "cancel_loss": ("days", 1, 6),
    "expire": ("days", 10, 10),  # the sweep, an hour after the report runs out
    "change": ("days", 5, 200),
    "reissue": ("days", 0, 4),
    "replace": ("days", 30, 600),
}
STAFF_STEPS = {
    "accept",
    "return",
    "reject",
    "approve",
    "send",
    "produce",
    "city",
    "outlet",
    "mail",
    "delivered",
    "fail",
    "collect",
}
TO_SEALED = ("submit", "accept", "approve", "send", "produce", "city", "deliver", "collect")
TO_ACTIVE = (*TO_SEALED, "enable")


@dataclass(frozen=True)
class Phase:
    steps: tuple[str, ...]
    # the last step happened this many working days before today (a range)
    ago: tuple[int, int]
    ago_in_days: bool = False  # calendar days instead


@dataclass(frozen=True)
class Scenario:
    label: str
    count: int
    phases: tuple[Phase, ...]
    delivery: str | None = None  # None: the person's choice
    replace_reason: str = ReplaceReason.DAMAGED
    outlet: str = ""  # an outlet code: people of its district who collect there


def _one(
    steps: tuple[str, ...], ago: tuple[int, int], label: str, count: int, **kwargs: Any
) -> Scenario:
    return Scenario(label, count, (Phase(steps, ago),), **kwargs)


RECENT = (0, 3)
TEN_YEARS_AGO = (3652 - 40, 3652 - 25)
ANY_TIME = (0, 250)

SCENARIOS: tuple[Scenario, ...] = (
    # 申领, before a decision (every story of the crowd begins with the registration)
    _one((), (0, 300), "已实名注册，未申领", 6),
    _one(("change",), (0, 60), "已实名注册，办理过信息变更", 3),
    _one(("submit",), RECENT, "申领已提交", 12),
    _one(("submit", "accept"), (0, 15), "申领已受理", 10),
    _one(("submit", "accept"), (22, 24), "申领已受理，临近办理时限", 5),
    _one(("submit", "accept"), (27, 34), "申领已受理，已超期", 5),
    _one(("submit", "accept", "return"), (0, 10), "申领退回补正", 7),
    _one(("submit", "accept", "return", "resubmit"), (0, 8), "申领补正后重新提交", 3),
    _one(("submit", "accept", "reject"), ANY_TIME, "申领不予通过", 5),
    _one(("submit", "reject"), ANY_TIME, "申领未受理即不予通过", 2),
    _one(("submit", "withdraw"), ANY_TIME, "申领已撤回", 2),
    _one(("submit", "accept", "withdraw"), ANY_TIME, "申领受理后撤回", 2),
    _one(("submit", "accept", "return", "withdraw"), ANY_TIME, "申领补正期间撤回", 1),
    # 审核通过: the card is being produced
    _one(("submit", "accept", "approve"), (0, 1), "审核通过，待数据录入", 3),
    _one(("submit", "accept", "approve", "send"), (0, 1), "数据已录入银行", 3),
    _one(("submit", "accept", "approve", "send", "produce"), (0, 4), "制卡中", 4),
    _one(("submit", "accept", "approve", "send", "produce", "city"), (0, 1), "市银行签收", 3),
    _one(
        ("submit", "accept", "approve", "send", "produce", "city"),
        (0, 1),
        "市银行签收，待 demo_clerk 的网点签收",
        2,
        delivery=Delivery.OUTLET,
        outlet="RC01",
    ),
    _one(TO_SEALED[:-1], (0, 8), "网点签收，待领卡", 4, delivery=Delivery.OUTLET),
    _one(
        TO_SEALED[:-1],
        (0, 5),
        "网点签收，在 demo_clerk 的网点待领卡",
        3,
        delivery=Delivery.OUTLET,
        outlet="RC01",
    ),
    _one(TO_SEALED[:-1], (0, 2), "已寄出", 3, delivery=Delivery.MAIL),
    _one(
        (*TO_SEALED[:-1], "delivered"),
        (0, 2),
        "已投递（快递柜代收），待本人确认收到",
        2,
        delivery=Delivery.MAIL,
    ),
    _one(("submit", "accept", "approve", "send", "fail"), RECENT, "制卡失败", 2),
    _one(
        ("submit", "accept", "approve", "send", "produce", "fail"), (20, 25), "制卡失败，已超期", 2
    ),
    _one(
        ("submit", "accept", "approve", "send", "produce", "fail", "send", "produce"),
        RECENT,
        "制卡失败后重新制卡",
        2,
    ),
    # 办结: the card is in the holder's hands
    _one(TO_SEALED, (0, 200), "已领卡未启用（封存）", 12),
    _one(TO_ACTIVE, (0, 400), "正常", 36),
    _one((*TO_ACTIVE, "change"), (0, 100), "正常，办理过信息变更", 8),
    _one((*TO_ACTIVE, "temp_loss", "cancel_loss"), (0, 60), "临时挂失后解挂", 3),
    _one((*TO_ACTIVE, "temp_loss", "expire"), (0, 60), "临时挂失到期自动解除", 2),
    # 挂失
    _one((*TO_ACTIVE, "temp_loss"), (0, 3), "临时挂失", 6),
    _one((*TO_SEALED, "temp_loss"), (0, 3), "封存卡临时挂失", 2),
    _one((*TO_ACTIVE, "formal_loss"), (0, 120), "正式挂失", 6),
    _one((*TO_SEALED, "formal_loss"), (0, 120), "封存卡正式挂失", 1),
    _one((*TO_ACTIVE, "temp_loss", "formal_loss"), (0, 30), "临时挂失后转正式挂失", 2),
    # 补卡 after a formal loss report
    _one((*TO_ACTIVE, "formal_loss", "reissue"), RECENT, "补卡已提交", 3),
    _one((*TO_ACTIVE, "formal_loss", "reissue", "accept"), (0, 24), "补卡已受理", 3),
    _one((*TO_ACTIVE, "formal_loss", "reissue", "accept", "return"), (0, 8), "补卡退回补正", 2),
    _one((*TO_ACTIVE, "formal_loss", "reissue", "accept", "reject"), ANY_TIME, "补卡不予通过", 1),
    _one((*TO_ACTIVE, "formal_loss", "reissue", "withdraw"), ANY_TIME, "补卡已撤回", 1),
    _one(
        (*TO_ACTIVE, "formal_loss", "reissue", "accept", "approve", "send", "produce"),
        (0, 4),
        "补卡审核通过，原卡注销，新卡制卡中",
        3,
    ),
    _one((*TO_ACTIVE, "formal_loss", "reissue", *TO_SEALED[1:-1]), (0, 3), "补卡新卡待领取", 2),
    _one((*TO_ACTIVE, "formal_loss", "reissue", *TO_SEALED[1:]), (0, 150), "补卡办结，新卡封存", 2),
    _one((*TO_ACTIVE, "formal_loss", "reissue", *TO_ACTIVE[1:]), (0, 250), "补卡办结，新卡正常", 3),
    # 换卡 from a card in use
    _one((*TO_ACTIVE, "replace"), RECENT, "换卡已提交（卡面损坏）", 2),
    _one(
        (*TO_ACTIVE, "replace", "accept"),
        (0, 15),
        "换卡已受理（芯片无法读取）",
        2,
        replace_reason=ReplaceReason.CHIP,
    ),
    _one(
        (*TO_ACTIVE, "replace", "accept", "approve", "send", "produce"),
        (0, 4),
        "换卡审核通过（升级第三代社保卡）",
        3,
        replace_reason=ReplaceReason.UPGRADE,
    ),
    _one((*TO_ACTIVE, "replace", *TO_ACTIVE[1:]), (0, 250), "换卡办结，新卡正常", 4),
    _one(
        (*TO_ACTIVE, "replace", "accept", "reject"),
        ANY_TIME,
        "换卡不予通过",
        1,
        replace_reason=ReplaceReason.OTHER,
    ),
    _one((*TO_ACTIVE, "replace", "withdraw"), ANY_TIME, "换卡已撤回", 1),
    # cards issued ten years ago and running out (enabled 0-10 days after collection, so they
    # expire in 15-50 days): 换卡 (有效期即将届满) is open to them
    Scenario("卡片即将到期", 1, (Phase(TO_ACTIVE, TEN_YEARS_AGO, ago_in_days=True),)),
    Scenario(
        "卡片即将到期，已申请换卡",
        1,
        (Phase(TO_ACTIVE, TEN_YEARS_AGO, ago_in_days=True), Phase(("replace",), RECENT)),
        replace_reason=ReplaceReason.EXPIRING,
    ),
)

EMPLOYEE_SCENARIOS: tuple[Scenario, ...] = (
    _one(("submit",), RECENT, "单位申领已提交", 2),
    _one(("submit", "accept"), (0, 10), "单位申领已受理", 1),
    _one(("submit", "accept", "return"), (0, 5), "单位申领退回补正", 1),
    _one(("submit", "accept", "approve", "send"), (0, 1), "单位申领数据已录入", 1),
    _one(
        ("submit", "accept", "approve", "send", "produce", "city"), (0, 1), "单位申领市银行签收", 1
    ),
    _one(TO_SEALED, (0, 120), "单位申领已领卡", 2, delivery=Delivery.OUTLET),
)


def _area_code(district: str) -> str:
    return next(code for code, (name, _p, _s) in DISTRICTS.items() if name == district)


def _workdays_before(calendar: WorkCalendar, day: date, n: int) -> date:
    while n > 0:
        day -= timedelta(days=1)
        if calendar.is_workday(day):
            n -= 1
    return day


# ---------------------------------------------------------------------------------------------
# The seeder


class Seeder:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 — synthetic data, not a secret
        Faker.seed(SEED)
        self.fake = Faker("zh_CN")
        self.real_now = timezone.now()
        self.today = timezone.localdate(self.real_now)
        self.clock = StoryClock(self.real_now)
        self.photo = _portrait_jpeg()
        self.household_scan = _scan_jpeg(7)
        self.guardian_scan = _scan_jpeg(4)
        self.id_numbers: set[str] = set()
        self.citizen_serial = 0

    # -- reference data ----------------------------------------------------------------------

    def reference_data(self) -> None:
        self.region: RegionSettings = region_settings()
        self.banks = {
            code: Bank.objects.update_or_create(
                code=code, defaults={"name": name, "hotline": hotline}
            )[0]
            for code, name, hotline in BANKS
        }
        self.outlets: dict[str, Outlet] = {}
        for code, name, district, address, phone, bank in OUTLETS:
            self.outlets[code], _ = Outlet.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "district": district,
                    "address": address,
                    "phone": phone,
                    "opening_hours": OPENING_HOURS,
                    "bank": self.banks[bank],
                    "active": True,
                },
            )
        for day, name in HOLIDAYS_2027:
            HolidayOverride.objects.update_or_create(
                date=day, defaults={"is_workday": False, "name": f"{name}{PROVISIONAL}"}
            )
        self.calendar = work_calendar()

    def staff(self) -> None:
        self.groups = ensure_role_groups()
        joined = self._local(self.today - timedelta(days=3700), time(9, 0))
        self.admin = self._staff_user("demo_admin", User.Role.ADMIN, joined, superuser=True)
        self.reviewer = self._staff_user("demo_reviewer", User.Role.REVIEWER, joined)
        self.producer = self._staff_user("demo_producer", User.Role.PRODUCER, joined)
        self.clerks: dict[int, User] = {
            self.outlets["RC01"].pk: self._staff_user(
                "demo_clerk", User.Role.CLERK, joined, outlet=self.outlets["RC01"]
            )
        }
        for code, outlet in self.outlets.items():
            if outlet.pk not in self.clerks:
                self.clerks[outlet.pk] = self._staff_user(
                    f"clerk_{code.lower()}",
                    User.Role.CLERK,
                    joined,
                    outlet=outlet,
                    password=None,
                )

    def _staff_user(
        self,
        username: str,
        role: str,
        joined: datetime,
        *,
        superuser: bool = False,
        outlet: Outlet | None = None,
        password: str | None = STAFF_PASSWORD,
    ) -> User:
        user = User(
            username=username,
            role=role,
            is_staff=True,
            is_superuser=superuser,
            outlet=outlet,
            date_joined=joined,
        )
        user.set_password(password)  # None: an unusable password
        user.save()  # the role puts the account in its permission group
        if password is not None:
            staff_totp_enrol(user=user, key_hex=DEMO_TOTP_KEY, actor=None)
        return user

    # -- people ------------------------------------------------------------------------------

    def _local(self, day: date, at: time) -> datetime:
        return timezone.make_aware(datetime.combine(day, at))

    def _area(self) -> str:
        return self.rng.choices(list(AREA_WEIGHTS), weights=list(AREA_WEIGHTS.values()))[0]

    def _phone(self) -> str:
        while True:
            phone = self.fake.phone_number()
            if PHONE_RE.fullmatch(phone):
                return phone

    @staticmethod
    def _area_of(profile: Profile) -> str:
        return _area_code(profile.district)

    def _address(self, area: str, *, building: bool = False) -> str:
        district, _postcode, streets = DISTRICTS[area]
        street = self.rng.choice(streets)
        house = f"{self.rng.randint(1, 320)}号"
        if building or self.rng.random() < 0.6:
            floor, room = self.rng.randint(1, 28), self.rng.randint(1, 4)
            house += f"{self.rng.randint(1, 18)}栋{floor}{room:02d}房"
        return f"广东省揭阳市{district}{street}{house}"

    def profile(
        self,
        *,
        age: tuple[int, int],
        area: str | None = None,
        gender: str | None = None,
        surname: str | None = None,
    ) -> Profile:
        area = area or self._area()
        gender = gender or self.rng.choice((Gender.MALE, Gender.FEMALE))
        low, high = age
        birth = self.today - timedelta(days=self.rng.randint(low * 365 + 30, high * 365 + 300))
        while True:
            number = resident_id(birth, male=gender == Gender.MALE, area=area, rng=self.rng)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                break
        male = gender == Gender.MALE
        first = self.fake.first_name_male() if male else self.fake.first_name_female()
        surname = surname or self.fake.last_name()
        district, postcode, _streets = DISTRICTS[area]
        minor = (self.today - birth).days < 16 * 365
        return Profile(
            doc_type=DocType.HOUSEHOLD if minor else DocType.RESIDENT_ID,
            doc_number=number,
            name=surname + first,
            gender=gender,
            birth_date=birth,
            ethnicity="汉族" if self.rng.random() < 0.95 else "畲族",
            phone=self._phone(),
            address=self._address(area),
            postcode=postcode,
            occupation="学生" if minor else self.rng.choice(OCCUPATIONS),
            district=district,
            surname=surname,
        )

    def register(
        self, profile: Profile, *, username: str | None = None, password: str | None = None
    ) -> User:
        """A citizen's account with their person on record (name and ID number checked)."""
        facts = validate_document(profile.doc_type, profile.doc_number, today=self.today)
        person = person_find_or_create(facts=facts, details=profile.details())
        if username is None:
            self.citizen_serial += 1
            username = f"citizen{self.citizen_serial:03d}"
        user = User(
            username=username,
            role=User.Role.CITIZEN,
            person=person,
            date_joined=timezone.now(),
            # the demo's holders registered with a code to their phone on file
            possession=User.Possession.SMS,
            possession_at=timezone.now(),
        )
        user.set_password(password)  # None: signs in by face verification only
        user.save()
        return user

    def case_for(
        self,
        requester: Requester | None,
        profile: Profile,
        *,
        delivery: str | None = None,
        real_enable: bool = False,
        relationship: str = "",
        person: Person | None = None,
    ) -> Case:
        district_outlets = [o for o in self.outlets.values() if o.district == profile.district]
        outlet = self.rng.choice(district_outlets)
        delivery = delivery or (Delivery.MAIL if self.rng.random() < 0.3 else Delivery.OUTLET)
        bank = (
            outlet.bank
            if delivery == Delivery.OUTLET and outlet.bank
            else self.rng.choice(list(self.banks.values()))
        )
        return Case(
            by=requester,
            profile=profile,
            bank=bank,
            delivery=delivery,
            outlet=outlet,
            real_enable=real_enable,
            relationship=relationship,
            person=person,
        )

    # -- running a story ---------------------------------------------------------------------

    def _moments(
        self,
        start: date,
        steps: tuple[str, ...],
        draws: list[tuple[int, int]],
        first: datetime | None,
    ) -> list[datetime]:
        """When each step happens if the story (or this phase of it) begins on ``start``."""
        moments: list[datetime] = []
        previous = first
        for step, (wait, minute) in zip(steps, draws, strict=True):
            kind, _low, _high = DELAYS[step]
            staff = step in STAFF_STEPS
            if previous is None:
                day, at = start, time(8 + minute % 13, minute % 60)
                moment = self._local(day, at)
            elif step == "expire":
                moment = previous + timedelta(days=self.region.temporary_loss_days, hours=1)
            elif kind == "workdays":
                day = self.calendar.add_working_days(timezone.localdate(previous), wait)
                moment = self._local(day, time(9 + minute % 8, minute % 60))
            else:
                day = timezone.localdate(previous) + timedelta(days=wait)
                moment = self._local(day, time(8 + minute % 14, minute % 60))
            if previous is not None and moment <= previous:
                moment = previous + timedelta(minutes=5 + minute)
            if staff and not self.calendar.is_workday(timezone.localdate(moment)):
                day = self.calendar.add_working_days(timezone.localdate(moment), 1)
                moment = self._local(day, time(9 + minute % 8, minute % 60))
            moments.append(moment)
            previous = moment
        return moments

    def _schedule(self, phase: Phase, after: datetime | None) -> list[datetime]:
        steps = tuple(self._expand(phase.steps, None))
        draws = [(self.rng.randint(*DELAYS[s][1:]), self.rng.randint(0, 119)) for s in steps]
        ago = self.rng.randint(*phase.ago)
        if phase.ago_in_days:
            target = self.today - timedelta(days=ago)
        else:
            target = _workdays_before(self.calendar, self.today, ago)
        if not steps:
            return []
        # a first guess at the story's length, then shift until the last step lands on target
        estimate = sum(
            wait * 7 // 5 + 1 if DELAYS[step][0] == "workdays" else wait
            for step, (wait, _minute) in zip(steps, draws, strict=True)
        )
        start = target - timedelta(days=estimate)
        moments = self._moments(start, steps, draws, None)
        for _ in range(8):
            shift = (target - timezone.localdate(moments[-1])).days
            if shift == 0:
                break
            start += timedelta(days=shift)
            moments = self._moments(start, steps, draws, None)
        if after is not None and moments[0] <= after:
            moments = self._moments(timezone.localdate(after), steps, draws, after)
        return moments

    @staticmethod
    def _expand(steps: tuple[str, ...], case: Case | None) -> Iterator[str]:
        for step in steps:
            if step == "deliver":
                yield "mail" if case is not None and case.delivery == Delivery.MAIL else "outlet"
            else:
                yield step

    def run_story(self, case: Case, scenario: Scenario) -> Case:
        after: datetime | None = None
        for phase in scenario.phases:
            moments = self._schedule(phase, after)
            steps = list(self._expand(phase.steps, case))
            index = 0
            while index < len(steps):
                step, moment = steps[index], moments[index]
                if index == 0 and after is None:
                    self.clock.set(moment)
                else:
                    self.clock.advance_to(moment)
                try:
                    getattr(self, f"step_{step}")(case, scenario)
                except DomainError as exc:
                    raise CommandError(
                        f"{scenario.label} / {step}: {exc.message} {exc.errors or ''}"
                    ) from exc
                index += 1
            if moments:
                after = self.clock.at
        return case

    # -- the steps ---------------------------------------------------------------------------

    def _upload(self, kind: str) -> SimpleUploadedFile:
        content = {
            "photo": self.photo,
            "household": self.household_scan,
            "guardian_proof": self.guardian_scan,
        }[kind]
        return SimpleUploadedFile(f"{kind}.jpg", content, content_type="image/jpeg")

    def _delivery_form(self, case: Case) -> dict[str, Any]:
        form: dict[str, Any] = {"bank": case.bank.code, "delivery": case.delivery}
        if case.delivery == Delivery.OUTLET:
            form["outlet"] = case.outlet.code
        else:
            form["mail_address"] = case.profile.address
        return form

    def step_register(self, case: Case, scenario: Scenario) -> None:
        user = self.register(case.profile)
        case.by = Requester(user, TrustLevel.L4)  # signs in by face verification
        case.person = user.person

    def step_submit(self, case: Case, scenario: Scenario) -> None:
        p = case.profile
        data = {
            "doc_type": p.doc_type,
            "doc_number": p.doc_number,
            "name": p.name,
            "gender": p.gender,
            "ethnicity": p.ethnicity,
            "birth_date": p.birth_date.isoformat(),
            "phone": p.phone,
            "address": p.address,
            "postcode": p.postcode,
            "occupation": p.occupation,
            **self._delivery_form(case),
        }
        files = {"photo": self._upload("photo")}
        if case.relationship:
            data["relationship"] = case.relationship
            files["household"] = self._upload("household")
            files["guardian_proof"] = self._upload("guardian_proof")
        case.production_order = None
        case.application = apps_services.application_submit_apply(
            requester=case.requester, data=data, files=files
        )
        case.person = case.application.subject

    def _card_request(self, case: Case, kind: str, reason: str = "") -> None:
        data = {"kind": kind, "reason": reason, **self._delivery_form(case)}
        case.production_order = None
        case.application = apps_services.application_submit_reissue(
            requester=case.requester, card=case.the_card, data=data
        )

    def step_reissue(self, case: Case, scenario: Scenario) -> None:
        self._card_request(case, ReissueKind.REISSUE)

    def step_replace(self, case: Case, scenario: Scenario) -> None:
        self._card_request(case, ReissueKind.REPLACE, scenario.replace_reason)

    def step_accept(self, case: Case, scenario: Scenario) -> None:
        case.application = apps_services.application_accept(
            application=case.app, actor=self.reviewer
        )

    def step_return(self, case: Case, scenario: Scenario) -> None:
        reason, what = self.rng.choice(RETURN_REASONS)
        if case.app.item != ItemCode.APPLY:
            reason, what = "领卡方式信息有误，请核对领卡网点或邮寄地址", "delivery"
        case.to_correct = what
        case.application = apps_services.application_return(
            application=case.app, actor=self.reviewer, reason=reason, reason_code=RETURN_CODES[what]
        )

    def step_resubmit(self, case: Case, scenario: Scenario) -> None:
        data: dict[str, Any] = {}
        files: dict[str, Any] = {}
        if case.to_correct == "address":
            data["address"] = self._address(self._area_of(case.profile), building=True)
        elif case.to_correct == "photo":
            files["photo"] = self._upload("photo")
        case.application = apps_services.application_resubmit(
            requester=case.requester, application=case.app, data=data, files=files
        )

    def step_reject(self, case: Case, scenario: Scenario) -> None:
        reason, code = self.rng.choice(REJECT_REASONS)
        if case.app.item != ItemCode.APPLY:
            reason = "经核查该卡挂失、补换卡信息与银行记录不一致，请到社保卡服务网点办理"
            code = "not_eligible"
        case.application = apps_services.application_reject(
            application=case.app, actor=self.reviewer, reason=reason, reason_code=code
        )

    def step_withdraw(self, case: Case, scenario: Scenario) -> None:
        case.application = apps_services.application_withdraw(
            requester=case.requester, application=case.app
        )

    def step_approve(self, case: Case, scenario: Scenario) -> None:
        case.application = apps_services.application_approve(
            application=case.app, actor=self.reviewer
        )
        case.production_order = case.application.production_order

    def step_send(self, case: Case, scenario: Scenario) -> None:
        """数据录入 as the production officer does it at /staff/production/: the order goes
        into a new batch of its bank (after 制卡失败 too), and the batch is sent."""
        order = case.order
        batch = production.batch_create(bank=order.bank, order_ids=[order.pk], actor=self.producer)
        production.batch_send(batch=batch, actor=self.producer)
        order.refresh_from_db()

    def _batch_of(self, case: Case) -> Batch:
        case.order.refresh_from_db()
        if case.order.batch_id is None:
            raise CommandError("demo story: an order with the bank belongs to no batch")
        return Batch.objects.get(pk=case.order.batch_id)

    def _bank_takes_over(self, case: Case) -> None:
        """The bank's system acknowledges the batch (已接收) before it reports on its orders,
        as the partner simulator does; saying so again changes nothing."""
        bank = case.order.bank
        production.batch_acknowledge(batch=self._batch_of(case), by=partner_label(bank))

    def _batch_settles(self, case: Case) -> None:
        """已完成 once none of the batch's orders is still with the bank or the factory."""
        production.batch_refresh_status(self._batch_of(case))

    def step_produce(self, case: Case, scenario: Scenario) -> None:
        self._bank_takes_over(case)
        production.order_advance(
            order=case.order,
            to=Stage.PRODUCING,
            actor=None,
            place=f"{case.order.bank.name}制卡中心",
        )

    def step_city(self, case: Case, scenario: Scenario) -> None:
        production.order_advance(
            order=case.order,
            to=Stage.CITY_BANK,
            actor=None,
            place=f"{case.order.bank.name}揭阳分行",
        )

    def step_outlet(self, case: Case, scenario: Scenario) -> None:
        order = case.order
        production.order_advance(order=order, to=Stage.OUTLET, actor=self._clerk_of(order))
        self._batch_settles(case)

    def _clerk_of(self, order: ProductionOrder) -> User:
        """The counter clerk of the outlet the card goes to."""
        if order.outlet_id is None:
            raise CommandError("demo story: a mailed card has no outlet clerk")
        return self.clerks[order.outlet_id]

    def step_mail(self, case: Case, scenario: Scenario) -> None:
        tracking = f"SF{self.rng.randrange(10**12, 10**13)}"
        production.order_advance(
            order=case.order,
            to=Stage.MAILED,
            actor=None,
            place=f"{case.order.bank.name}揭阳分行",
            tracking_number=tracking,
        )
        self._batch_settles(case)

    def step_delivered(self, case: Case, scenario: Scenario) -> None:
        """The courier's 已投递 (a parcel locker): the holder has the region's days to confirm."""
        order = ProductionOrder.objects.select_related("batch").get(pk=case.order.pk)
        if order.batch is None:
            raise CommandError("demo story: a mailed card was sent in no batch")
        batch_apply_reports(
            batch=order.batch,
            reports=[
                (
                    "events.0",
                    Report(
                        order.pk,
                        ReportKind.STAGE,
                        stage=Stage.DELIVERED,
                        place="丰巢快递柜",
                        tracking_number=order.tracking_number,
                    ),
                )
            ],
            by=f"{order.bank.name}（快递）",
        )

    def step_fail(self, case: Case, scenario: Scenario) -> None:
        self._bank_takes_over(case)
        production.order_fail(
            order=case.order, reason=self.rng.choice(FAILURE_REASONS), actor=self.producer
        )
        self._batch_settles(case)

    def step_collect(self, case: Case, scenario: Scenario) -> None:
        order = case.order
        if order.delivery == Delivery.OUTLET:
            application = apps_services.application_handover(
                order=order,
                actor=self._clerk_of(order),
                doc_type=order.person.doc_type,
                doc_number=order.person.doc_number,
            )
        else:
            application = apps_services.application_confirm_delivery(order=order, actor=None)
        case.application = application
        case.card = Card.objects.get(pk=order.card_id)

    def step_enable(self, case: Case, scenario: Scenario) -> None:
        if case.real_enable:
            apps_services.item_enable(
                requester=case.requester, card=case.the_card, password=DEMO_SERVICE_PASSWORD
            )
        else:
            self._enable_with_shared_hash(case)
        case.the_card.refresh_from_db()

    def _enable_with_shared_hash(self, case: Case) -> None:
        """:func:`item_enable` with the bulk service password hashed once, not per card."""
        with mock.patch(
            "sscard.cards.services.make_password", return_value=self.bulk_password_hash
        ):
            apps_services.item_enable(
                requester=case.requester, card=case.the_card, password=BULK_SERVICE_PASSWORD
            )

    def _loss(self, case: Case, action: str) -> None:
        apps_services.item_report_loss(
            requester=case.requester, card=case.the_card, action=action, confirmed_irreversible=True
        )
        case.the_card.refresh_from_db()

    def step_temp_loss(self, case: Case, scenario: Scenario) -> None:
        self._loss(case, apps_services.LossAction.TEMPORARY)

    def step_formal_loss(self, case: Case, scenario: Scenario) -> None:
        self._loss(case, apps_services.LossAction.FORMAL)

    def step_cancel_loss(self, case: Case, scenario: Scenario) -> None:
        self._loss(case, apps_services.LossAction.CANCEL)

    def step_expire(self, case: Case, scenario: Scenario) -> None:
        card_expire_temporary_losses(now=timezone.now())
        case.the_card.refresh_from_db()

    def step_change(self, case: Case, scenario: Scenario) -> None:
        person = Person.objects.get(pk=case.the_person.pk)
        if self.rng.random() < 0.5:
            phone = self._phone()
            while phone == person.phone:
                phone = self._phone()
            changes = {"phone": phone}
        else:
            address = person.address
            while address == person.address:  # moved house within the district
                address = self._address(self._area_of(case.profile))
            changes = {"address": address, "occupation": self.rng.choice(OCCUPATIONS)}
        apps_services.item_change_contact(
            requester=case.requester,
            person=person,
            changes=changes,
            phone_challenge=self._new_phone_entered(case.requester.user, person, changes),
        )

    def _new_phone_entered(self, user: User, person: Person, changes: dict[str, str]) -> Any:
        """The code texted to a new phone number and typed in by the person: the demo writes
        the proved challenge as the 信息变更 page leaves it (no text goes out)."""
        if "phone" not in changes:
            return None
        now = timezone.now()
        return Challenge.objects.create(
            purpose=Purpose.NEW_PHONE,
            phone=changes["phone"],
            phone_hash=phone_hash(changes["phone"]),
            user=user,
            person=person,
            expires_at=now + timedelta(minutes=5),
            sent_at=now,
            used_at=now,
        ).pk

    # -- the cast ----------------------------------------------------------------------------

    def named_citizens(self) -> None:
        # demo_card: a card in use (正常), with a contact change behind it
        profile = self.profile(age=(30, 45), area="445202", gender=Gender.FEMALE)
        self.clock.set(self._local(self.today - timedelta(days=420), time(10, 12)))
        user = self.register(profile, username="demo_card", password=DEMO_PASSWORD)
        case = self.case_for(
            Requester(user, TrustLevel.L4),
            profile,
            delivery=Delivery.OUTLET,
            real_enable=True,
            person=user.person,
        )
        case.outlet = self.outlets["RC01"]
        case.bank = self.banks["ICBC"]
        self.run_story(case, Scenario("demo_card", 1, (Phase((*TO_ACTIVE, "change"), (10, 20)),)))

        # demo_nocard: on record, no card and no application
        profile = self.profile(age=(22, 28), area="445281")
        self.clock.set(self._local(self.today - timedelta(days=12), time(20, 5)))
        self.register(profile, username="demo_nocard", password=DEMO_PASSWORD)

        # demo_guardian: own card in use; one child with a card in use, one with a card being
        # produced (mailed to the family's address)
        profile = self.profile(age=(33, 40), area="445202", gender=Gender.MALE)
        self.clock.set(self._local(self.today - timedelta(days=700), time(19, 40)))
        guardian = self.register(profile, username="demo_guardian", password=DEMO_PASSWORD)
        requester = Requester(guardian, TrustLevel.L4)
        case = self.case_for(
            requester, profile, real_enable=True, person=guardian.person, delivery=Delivery.OUTLET
        )
        self.run_story(case, Scenario("demo_guardian", 1, (Phase(TO_ACTIVE, (300, 320)),)))
        for age, steps, ago, delivery in (
            ((8, 10), TO_ACTIVE, (60, 80), Delivery.OUTLET),
            ((3, 5), ("submit", "accept", "approve", "send", "produce"), (0, 2), Delivery.MAIL),
        ):
            child = self.profile(age=age, area="445202", surname=profile.surname)
            child.ethnicity, child.address, child.postcode, child.phone = (
                profile.ethnicity,
                profile.address,
                profile.postcode,
                profile.phone,
            )
            case = self.case_for(
                requester,
                child,
                delivery=delivery,
                real_enable=True,
                relationship=Guardianship.Relationship.FATHER,
            )
            self.run_story(case, Scenario("demo_guardian child", 1, (Phase(steps, ago),)))

        # demo_lost: a card formally reported lost: ready for 补卡
        profile = self.profile(age=(45, 60), area="445203", gender=Gender.MALE)
        self.clock.set(self._local(self.today - timedelta(days=900), time(9, 30)))
        user = self.register(profile, username="demo_lost", password=DEMO_PASSWORD)
        case = self.case_for(
            Requester(user, TrustLevel.L4), profile, real_enable=True, person=user.person
        )
        self.run_story(
            case, Scenario("demo_lost", 1, (Phase((*TO_ACTIVE, "formal_loss"), (1, 2)),))
        )

    def employer(self) -> None:
        self.clock.set(self._local(self.today - timedelta(days=200), time(10, 0)))
        contact = self.profile(age=(28, 40), area="445202")
        employer: Employer = employer_register(
            name="揭阳市榕江智造电子科技有限公司",
            uscc=uscc(rng=self.rng),
            contact_name=contact.name,
            contact_phone=contact.phone,
        )
        review.licence_attach(employer=employer, licence=_licence())
        user = User(
            username="demo_employer",
            role=User.Role.EMPLOYER,
            employer=employer,
            date_joined=timezone.now(),
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        # approved by the demo reviewer the next day (单位注册审核)
        self.clock.set(self._local(self.today - timedelta(days=199), time(10, 30)))
        user.employer = review.employer_approve(
            employer_id=employer.pk, actor=User.objects.get(username="demo_reviewer")
        )
        requester = Requester(user, TrustLevel.L3)
        for scenario in EMPLOYEE_SCENARIOS:
            for _ in range(scenario.count):
                profile = self.profile(age=(20, 55))
                case = self.case_for(requester, profile, delivery=scenario.delivery)
                self.run_story(case, scenario)
        self.employer_row = employer

    def employer_new(self) -> None:
        """demo_employer_new: registered yesterday with its 营业执照, 待审核 (the reviewer's
        /staff/employers/ queue has it)."""
        self.clock.set(self._local(self.today - timedelta(days=1), time(16, 20)))
        contact = self.profile(age=(25, 45), area="445203")
        employer = employer_register(
            name="揭阳市揭东区新创五金制品有限公司",
            uscc=uscc(rng=self.rng),
            contact_name=contact.name,
            contact_phone=contact.phone,
        )
        review.licence_attach(employer=employer, licence=_licence())
        user = User(
            username="demo_employer_new",
            role=User.Role.EMPLOYER,
            employer=employer,
            first_name=contact.name,
            date_joined=timezone.now(),
        )
        user.set_password(DEMO_PASSWORD)
        user.save()

    def crowd(self) -> None:
        for scenario in SCENARIOS:
            first, *rest = scenario.phases
            # each person registers (name and ID number checked) just before their first step
            story = dataclasses.replace(
                scenario,
                phases=(dataclasses.replace(first, steps=("register", *first.steps)), *rest),
            )
            for _ in range(scenario.count):
                outlet = self.outlets.get(scenario.outlet)
                area = _area_code(outlet.district) if outlet else None
                profile = self.profile(age=(16, 75), area=area)
                case = self.case_for(None, profile, delivery=scenario.delivery)
                if outlet is not None and outlet.bank is not None:
                    case.outlet, case.bank = outlet, outlet.bank
                self.run_story(case, story)
        # two card holders of the crowd work for the demo employer too
        holders = Person.objects.filter(
            cards__status=CardStatus.ACTIVE, user__username__startswith="citizen"
        ).order_by("pk")[:2]
        for person in holders:
            employment_ensure(employer=self.employer_row, person=person, actor=None)

    def messages_read(self) -> None:
        """The services wrote each story's 消息中心 messages; the ones older than a month
        were read long ago, the recent ones wait unread."""
        month_ago = self.clock.ceiling - timedelta(days=30)
        Message.objects.filter(channel=Channel.INBOX, created_at__lt=month_ago).update(
            read_at=F("created_at") + timedelta(days=1)
        )

    # -- the whole -----------------------------------------------------------------------------

    def run(self) -> None:
        self.reference_data()
        self.staff()
        self.bulk_password_hash = make_password(BULK_SERVICE_PASSWORD)
        with story_time(self.clock):
            self.named_citizens()
            self.employer()
            self.employer_new()
            self.crowd()
        self.messages_read()
        audit_record(
            actor=None,
            action="demo.seeded",
            detail={"people": Person.objects.count(), "seed": SEED},
        )


# ---------------------------------------------------------------------------------------------
# Output


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
        "/staff/：网点签收（2张待签收）、核验身份后发卡、窗口代办七个事项",
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


def _login_table() -> list[str]:
    lines = ["| 用户名 | 密码 | 角色 | 演示内容 |", "|---|---|---|---|"]
    lines += [f"| {u} | `{p}` | {r} | {s} |" for u, p, r, s in LOGIN_TABLE]
    return lines


def _address_lines() -> list[str]:
    """Where the demo is served (``SSCARD_PUBLIC_URL``, which ``make demo HOST=…`` sets), the
    same address every text and message links to."""
    base = settings.SSCARD_PUBLIC_URL.rstrip("/")
    lines = [f"市民门户“智慧人社”（请用手机尺寸打开）：{base}/"]
    if settings.SSCARD_SMS_SIMULATOR:
        lines += [f"短信收件箱（演示用，验证码和通知短信在此查看）：{base}/sms-sim/"]
    return lines


def _staff_login_lines() -> list[str]:
    base = settings.SSCARD_PUBLIC_URL.rstrip("/")
    return [
        f"工作人员登录业务经办后台 {base}/staff/ ：账号、密码和6位动态验证码。",
        f"演示工作人员的动态验证码密钥（TOTP，添加到身份验证器）：{DEMO_TOTP_SECRET}",
        "或运行 .venv/bin/python manage.py staff_totp demo_reviewer --code 显示当前动态验证码"
        "（每个验证码只能使用一次，30秒更新）。",
    ]


def _summary() -> list[str]:
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


class Command(BaseCommand):
    help = (
        "写入演示数据（揭阳市）：合作银行、五个区县的服务网点、2027年暂定节假日、各角色工作人员、"
        "演示账号，以及200余名处于各种社保卡状态、办件状态和制卡进度的人员。"
        f"个人与单位演示账号密码均为 {DEMO_PASSWORD}，工作人员账号密码均为 {STAFF_PASSWORD}。"
        "已写入过（存在 demo_admin 账号）时只打印演示账号。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SSCARD_ENV == "production":
            # published passwords, a published TOTP secret, a superuser: never on real data
            raise CommandError("演示数据只能写入演示或测试环境（SSCARD_ENV=production 时拒绝）")
        if User.objects.filter(username=MARKER_USERNAME).exists():
            self.stdout.write("演示数据已存在，未重复写入。")
        else:
            started = timezone.now()
            with transaction.atomic(), quiet_audit_log():
                Seeder().run()
            seconds = (timezone.now() - started).total_seconds()
            self.stdout.write(self.style.SUCCESS(f"演示数据已写入（{seconds:.1f} 秒）。"))
            for line in _summary():
                self.stdout.write(line)
        self.stdout.write("")
        for line in _address_lines():
            self.stdout.write(line)
        self.stdout.write("演示账号：")
        for line in _login_table():
            self.stdout.write(line)
        self.stdout.write("")
        for line in _staff_login_lines():
            self.stdout.write(line)
