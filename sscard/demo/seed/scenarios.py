"""The stories of the demo's people: which steps, how long each waits, how long ago."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sscard.applications.constants import ReplaceReason
from sscard.production.constants import Delivery

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
    "lapse": ("days", 4, 4),  # the sweep, after the region's payment days (3)
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
    # with online payment on (make demo): submitted, the ¥20 not yet paid
    _one((*TO_ACTIVE, "formal_loss", "reissue"), (0, 0), "补卡待缴费", 1),
    _one((*TO_ACTIVE, "formal_loss", "reissue", "lapse"), ANY_TIME, "补卡逾期未缴费", 1),
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
