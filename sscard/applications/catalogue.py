"""The bundle catalogue: a "一件事" is data — its items, their materials, time limits, who
may use them and the check that explains a block before the form. A second bundle registers
here without touching the first."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sscard.applications.constants import ItemCode


class ItemKind(StrEnum):
    REVIEWED = "reviewed"  # goes through review and production: a legal time limit
    INSTANT = "instant"  # 即时办结
    QUERY = "query"  # reads only, nothing is recorded as an application


class Audience(StrEnum):
    CITIZEN = "citizen"
    GUARDIAN = "guardian"
    EMPLOYER = "employer"


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    materials: str
    time_limit_days: int  # working days; 0 for 即时办结
    kind: ItemKind
    audiences: frozenset[Audience]
    # dotted paths, resolved by the interfaces: the eligibility check explains any block in
    # plain Chinese (raises DomainError); the handler is the service that does the item
    eligibility: str
    handler: str
    needs_card: bool = True
    # 选择社保卡 lists the person's cancelled (注销) cards too: only an item that acts on no
    # card may (a query); the others choose among cards still in use
    lists_cancelled_cards: bool = False

    def __post_init__(self) -> None:
        if self.lists_cancelled_cards and self.kind != ItemKind.QUERY:
            raise ValueError(f"item {self.code} acts on a card: it may not offer cancelled ones")

    @property
    def time_limit_label(self) -> str:
        return f"{self.time_limit_days}个工作日" if self.time_limit_days else "即时办结"


@dataclass(frozen=True)
class Bundle:
    code: str
    name: str
    items: tuple[Item, ...]
    notice: str = ""
    _index: dict[str, Item] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({item.code: item for item in self.items})

    def item(self, code: str) -> Item:
        return self._index[code]


_BUNDLES: dict[str, Bundle] = {}


def register_bundle(bundle: Bundle) -> Bundle:
    if bundle.code in _BUNDLES:
        raise ValueError(f"bundle {bundle.code} is registered twice")
    _BUNDLES[bundle.code] = bundle
    return bundle


def bundles() -> tuple[Bundle, ...]:
    return tuple(_BUNDLES.values())


def bundle(code: str) -> Bundle:
    return _BUNDLES[code]


_EVERYONE = frozenset({Audience.CITIZEN, Audience.GUARDIAN})
_E = "sscard.applications.eligibility."
_S = "sscard.applications.services."
_Q = "sscard.applications.selectors."

SSCARD = register_bundle(
    Bundle(
        code="sscard",
        name="社会保障卡服务“一件事”",
        notice="将社会保障卡关联的社保卡申领、挂失与解挂、补换卡等7个事项提供办理服务，"
        "可以进行一项选择。",
        items=(
            Item(
                ItemCode.APPLY,
                ItemCode.APPLY.label,
                "有效身份证件（身份证/居住在中国境内16周岁以下的中国公民，由监护人代办业务的，"
                "有效身份证件为申领人居民户口簿及监护人证明文件/护照/港澳居民来往内地通行证/"
                "台湾居民来往大陆通行证/外国人永久居留证）/社保卡；1寸白底免冠彩色电子证件照",
                25,
                ItemKind.REVIEWED,
                _EVERYONE | {Audience.EMPLOYER},
                _E + "check_apply",
                _S + "application_submit_apply",
                needs_card=False,
            ),
            Item(
                ItemCode.ENABLE,
                ItemCode.ENABLE.label,
                "无",
                0,
                ItemKind.INSTANT,
                _EVERYONE,
                _E + "check_enable",
                _S + "item_enable",
            ),
            Item(
                ItemCode.LOSS,
                ItemCode.LOSS.label,
                "无",
                0,
                ItemKind.INSTANT,
                _EVERYONE,
                _E + "check_loss",
                _S + "item_report_loss",
            ),
            Item(
                ItemCode.REISSUE,
                ItemCode.REISSUE.label,
                "无",
                25,
                ItemKind.REVIEWED,
                _EVERYONE,
                _E + "check_reissue",
                _S + "application_submit_reissue",
            ),
            Item(
                ItemCode.CHANGE,
                ItemCode.CHANGE.label,
                "无",
                0,
                ItemKind.INSTANT,
                _EVERYONE,
                _E + "check_change",
                _S + "item_change_contact",
                needs_card=False,
            ),
            Item(
                ItemCode.PROGRESS,
                ItemCode.PROGRESS.label,
                "无",
                0,
                ItemKind.QUERY,
                _EVERYONE | {Audience.EMPLOYER},
                _E + "check_progress",
                _Q + "query_progress",
                needs_card=False,
            ),
            Item(
                ItemCode.STATUS,
                ItemCode.STATUS.label,
                "无",
                0,
                ItemKind.QUERY,
                _EVERYONE,
                _E + "check_status",
                _Q + "query_card_status",
                lists_cancelled_cards=True,
            ),
        ),
    )
)
