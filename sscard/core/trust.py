"""How sure we are of who is asking: the trust levels and the actions whose
required level the region sets. Plain values: the region settings (below accounts) use them."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class TrustLevel(IntEnum):
    """L3: a password account. L3+: a password login plus, in this session, a one-time code
    sent by SMS to the phone on file for the person. L4: 实人+实名+实证 — a face-verified
    identity from the real-name provider. The values leave room between the levels."""

    L1 = 10
    L2 = 20
    L3 = 30
    L3_PLUS = 35
    L4 = 40

    @property
    def label(self) -> str:
        return {TrustLevel.L3_PLUS: "L3+"}.get(self, self.name)

    @classmethod
    def parse(cls, value: object) -> TrustLevel:
        """A level as sessions and settings hold it: its number (3 and 4 from sessions made
        before L3+ existed), or its label ("L3", "L3+", "L4"). Anything else is L3."""
        legacy = {1: cls.L1, 2: cls.L2, 3: cls.L3, 4: cls.L4}
        if isinstance(value, str):
            labels = {level.label: level for level in cls}
            if value in labels:
                return labels[value]
        if not isinstance(value, int | str):
            return cls.L3
        try:
            number = int(value)
        except ValueError:
            return cls.L3
        if number in legacy:
            return legacy[number]
        try:
            return cls(number)
        except ValueError:
            return cls.L3


class Action(StrEnum):
    """What a citizen may do whose required trust level the region sets
    (``RegionSettings.action_levels``)."""

    ENABLE = "enable", "社会保障卡启用"
    CANCEL_LOSS = "cancel_loss", "解挂"
    TEMPORARY_LOSS = "temporary_loss", "临时挂失"
    FORMAL_LOSS = "formal_loss", "正式挂失"
    REISSUE = "reissue", "补换卡"
    CHANGE_INFO = "change_info", "信息变更"
    OPEN_MATERIALS = "open_materials", "查看已上传的材料"
    REVEAL_OWN = "reveal_own", "查看本人完整信息"
    GUARDIANSHIP = "guardianship", "新增或变更监护关系"
    WECHAT_BIND = "wechat_bind", "微信绑定"
    CONFIRM_RECEIPT = "confirm_receipt", "确认收到邮寄的社保卡"
    ECARD = "ecard", "出示电子社保卡（亮码）"

    def __new__(cls, value: str, label: str = "") -> Action:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    label: str


def default_action_levels() -> dict[str, str]:
    """The defaults: face for 启用 and 解挂; a code to the phone on file (or face)
    for what an impostor could harm; a password for 临时挂失, which protects the holder."""
    plus = TrustLevel.L3_PLUS.label
    return {
        str(action): level
        for action, level in {
            Action.ENABLE: TrustLevel.L4.label,
            Action.CANCEL_LOSS: TrustLevel.L4.label,
            Action.TEMPORARY_LOSS: TrustLevel.L3.label,
            Action.FORMAL_LOSS: plus,
            Action.REISSUE: plus,
            Action.CHANGE_INFO: plus,
            Action.OPEN_MATERIALS: plus,
            Action.REVEAL_OWN: plus,
            Action.GUARDIANSHIP: plus,
            Action.WECHAT_BIND: plus,
            # a card marked received by an impostor is a card in the impostor's hands
            Action.CONFIRM_RECEIPT: plus,
            # the QR code stands for the card at a hospital, an outlet or a bank
            Action.ECARD: plus,
        }.items()
    }
