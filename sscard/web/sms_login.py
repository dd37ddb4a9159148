"""看不清？改用短信验证码: the public password login's way round its image captcha. A code
goes to the phone on file for the person of the account named and stands in for the captcha
for one attempt: it is checked before the password, as the captcha is, so that a wrong code
never reaches the password store. A password login with it is trust level L3+ (a code to the
phone on file, this session), as a step-up by SMS is.

Whoever the name is — an account with a phone on file, one without, a staff account, nobody —
the page answers the same (:data:`CODE_SENT`): the sending limits it shows count by the name
typed and the address (``challenge_start(limit_account=…)``), a name that gets no text gets a
decoy code that nothing opens, and the text leaves in the background so that the answer takes
the same time."""

from __future__ import annotations

from typing import Any

from sscard.accounts.models import User
from sscard.accounts.trust import TrustLevel
from sscard.core.errors import DomainError
from sscard.verification.models import Challenge, Purpose
from sscard.verification.services import challenge_start, challenge_verify
from sscard.verification.tasks import send_challenge_task

# One answer whoever the name is: the page never tells whether it is an account, nor shows
# the account's phone, masked or not (that would tell).
CODE_SENT = "若账号存在且已绑定手机，验证码已发送至该账号绑定的手机，5分钟内有效。"
NO_CODE = "请先获取短信验证码"


def _account(username: str) -> User | None:
    """The account a password login with ``username`` would check (Django's backend: the
    name as typed, letter case included)."""
    return User.objects.select_related("person").filter(username=username.strip()).first()


def login_code_send(*, username: str, client_ip: str | None) -> Challenge:
    """获取短信验证码: a code for a login as ``username``, texted in the background to the
    phone on file for the account's person — when the name is an active citizen's account
    whose person has a phone (an employer's account has no person); otherwise a decoy.
    Refused with the wait (``TooManyCodes``) when the name or the address has had its codes."""
    user = _account(username)
    person = user.person if user is not None else None
    phone = ""
    if (
        user is not None
        and user.is_active
        and user.role == User.Role.CITIZEN
        and person is not None
    ):
        phone = person.phone or ""
    challenge = challenge_start(
        purpose=Purpose.LOGIN,
        phone=phone,
        user=user,
        person=person,
        client_ip=client_ip,
        limit_account=username.strip(),
    )
    send_challenge_task.enqueue(str(challenge.pk))
    return challenge


def login_code_check(*, challenge_id: Any, username: str, code: str) -> Challenge:
    """The login's code, used up when it opens the challenge sent for this same account name;
    else :class:`DomainError` next to the code field (a wrong try counts towards the code's
    five)."""
    if not challenge_id:
        raise DomainError(NO_CODE, field="code", code="no_code")
    return challenge_verify(
        challenge_id=challenge_id, code=code, purpose=Purpose.LOGIN, user=_account(username)
    )


def login_code_trust(challenge: Challenge, user: User) -> TrustLevel:
    """L3+ when the code went to the phone on file for ``user``'s person (still on file now),
    L3 otherwise."""
    person = user.person
    if (
        challenge.user_id == user.pk
        and challenge.phone
        and person is not None
        and challenge.phone == person.phone
    ):
        return TrustLevel.L3_PLUS
    return TrustLevel.L3
