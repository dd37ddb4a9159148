"""Who is asking, and how sure we are of it. The levels and the actions live
in :mod:`sscard.core.trust`; the requester the services are handed lives here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sscard.core.errors import DomainError
from sscard.core.trust import Action, TrustLevel, default_action_levels
from sscard.regions.selectors import region_settings

if TYPE_CHECKING:
    from sscard.accounts.models import User
    from sscard.regions.models import RegionSettings

__all__ = [
    "Action",
    "Requester",
    "StepUpRequired",
    "TrustLevel",
    "default_action_levels",
    "ensure_trust",
]

# what the person is about to do, in the sentence the step-up page says
_WHAT: dict[str, str] = {
    Action.OPEN_MATERIALS: "查看已上传的材料",
    Action.REVEAL_OWN: "查看完整的个人信息",
    Action.GUARDIANSHIP: "新增监护关系",
    Action.WECHAT_BIND: "绑定微信",
    Action.ECARD: "出示电子社保卡",
}


@dataclass(frozen=True)
class Requester:
    """A citizen or employer acting through the portal or the app API — or, with
    ``counter=True``, a member of staff serving a person who came to the counter (窗口代办):
    the staff member checked the person's identity document in person and is recorded as the
    one who did the item."""

    user: User
    trust: TrustLevel
    counter: bool = False


class StepUpRequired(DomainError):
    """The requester's login is not sure enough of them for ``action``: the page offers the
    ways up to ``level`` (a code to the phone on file for L3+, face verification for either)."""

    def __init__(self, action: str, level: TrustLevel) -> None:
        what = _WHAT.get(action, "办理该事项")
        if level >= TrustLevel.L4:
            message = f"为保障您的用卡安全，{what}需先完成“人脸识别登录”验证身份"
        else:
            message = (
                f"为保障您的用卡安全，{what}需先验证本人身份："
                "输入发送至您社保卡档案预留手机的短信验证码，或进行人脸识别"
            )
        super().__init__(message, code="step_up_required")
        self.action = action
        self.level = level


def ensure_trust(action: str, requester: Requester, region: RegionSettings | None = None) -> None:
    """The region says how sure of the person each action needs to be:
    ``RegionSettings.action_levels``. Staff at the counter checked the document in person."""
    if requester.counter:
        return
    region = region or region_settings()
    level = region.level_for(action)
    if requester.trust < level:
        raise StepUpRequired(action, level)


def trust_allows(action: str, requester: Requester, region: RegionSettings | None = None) -> bool:
    """Whether :func:`ensure_trust` would let ``requester`` do ``action`` (a page deciding
    what to show, e.g. a phone number in full or masked)."""
    try:
        ensure_trust(action, requester, region)
    except StepUpRequired:
        return False
    return True
