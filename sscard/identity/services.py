"""Completing a face login: from a verified identity to a logged-in citizen at trust level L4.

The person is found by their identity hash or recorded; the account by the provider's
``(issuer, subject)``, else the person's existing citizen account (linked now), else a new
citizen account without a password. Someone already logged in is *stepped up* to L4 only when
the face-verified identity is the same person; otherwise nothing changes.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.contrib.auth import login
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from sscard.accounts.backends import BACKEND
from sscard.accounts.models import Person, User
from sscard.accounts.services import person_by_identity, person_find_or_create
from sscard.accounts.trust import TrustLevel
from sscard.audit.models import AuditRecord
from sscard.audit.services import audit_record
from sscard.core.documents import DocType, DocumentError, validate_document
from sscard.core.errors import DomainError
from sscard.identity.models import ExternalIdentity
from sscard.identity.oidc import VerifiedIdentity
from sscard.notifications.constants import Event
from sscard.notifications.services import notify_account_event

TRUST_SESSION_KEY = "trust"
LOGIN_METHOD_SESSION_KEY = "login_method"


def face_login_url(*, next_path: str = "") -> str:
    """The link behind “人脸识别登录”, and the step-up for an item that needs L4: after the
    face check the browser comes back to ``next_path`` (a path on this site)."""
    url = reverse("identity:start")
    return f"{url}?{urlencode({'next': next_path})}" if next_path else url


def safe_next(candidate: str | None, *, default: str) -> str:
    """Where to go after logging in: a path on this site only (``/...``, never ``//host`` or
    an absolute URL), else ``default``."""
    if (
        candidate
        and candidate.startswith("/")
        and not candidate.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(candidate, allowed_hosts=None)
    ):
        return candidate
    return default


def face_login(*, request: HttpRequest, identity: VerifiedIdentity) -> User:
    """Log the verified person in at L4 (or step the current login up to L4). A refusal is a
    :class:`DomainError` with the message to show; it is audited and changes nothing."""
    current = _current_user(request)
    try:
        user, event = _resolve_account(identity=identity, current=current)
    except DomainError as exc:
        audit_record(
            actor=current,
            action="identity.face_login",
            detail={"issuer": identity.issuer, "reason": exc.code},
            result=AuditRecord.Result.REFUSED,
        )
        raise
    if current is not None and current.pk == user.pk:
        request.session.cycle_key()  # a new session id for the raised trust level
    else:
        login(request, user, backend=BACKEND)
    request.session[TRUST_SESSION_KEY] = int(TrustLevel.L4)
    request.session[LOGIN_METHOD_SESSION_KEY] = "face"
    audit_record(
        actor=user,
        action="identity.step_up" if event == "step_up" else "identity.face_login",
        target=user,
        detail={"issuer": identity.issuer, "trust": int(TrustLevel.L4), "account": event},
    )
    return user


def refuse_login(*, request: HttpRequest, reason: str, issuer: str) -> None:
    """Audit a face login the provider's answer did not allow (bad state, signature…)."""
    audit_record(
        actor=_current_user(request),
        action="identity.face_login",
        detail={"issuer": issuer, "reason": reason},
        result=AuditRecord.Result.REFUSED,
    )


def _current_user(request: HttpRequest) -> User | None:
    user = request.user
    return user if user.is_authenticated and isinstance(user, User) else None


def _resolve_account(*, identity: VerifiedIdentity, current: User | None) -> tuple[User, str]:
    try:
        return _resolve_account_once(identity=identity, current=current)
    except IntegrityError:
        # a parallel first login of the same person linked or created the account first
        return _resolve_account_once(identity=identity, current=current)


@transaction.atomic
def _resolve_account_once(*, identity: VerifiedIdentity, current: User | None) -> tuple[User, str]:
    try:
        facts = validate_document(
            DocType.RESIDENT_ID, identity.id_number, today=timezone.localdate()
        )
    except DocumentError as exc:
        raise DomainError(
            "实名认证返回的身份证号码无效，无法登录，请到社保卡服务网点核实。",
            code="invalid_id_number",
        ) from exc
    if current is not None:
        return _step_up(identity=identity, current=current, number=facts.number)
    person = person_find_or_create(
        facts=facts,
        details={
            "name": identity.name,
            "gender": facts.gender,
            "birth_date": facts.birth_date,
            "nationality": "中国",
        },
    )
    # one first login per person at a time: the second waits here, then finds the account
    person = Person.objects.select_for_update().get(pk=person.pk)
    linked = _linked(identity)
    if linked is not None:
        user = linked.user
        _require_citizen(user)
        if user.person_id != person.pk:
            raise DomainError(
                "实名认证的身份与已绑定的账号不一致，请到社保卡服务网点核实。",
                code="identity_conflict",
            )
        _touch(linked)
        return user, "returning"
    user_of_person = User.objects.select_for_update().filter(person=person).first()
    if user_of_person is not None:
        _require_citizen(user_of_person)
        if not user_of_person.possession_proved:
            _take_back(user_of_person)
            _link(identity=identity, user=user_of_person)
            notify_account_event(Event.ACCOUNT_TAKEN_BACK, user=user_of_person, person=person)
            return user_of_person, "taken_back"
        _link(identity=identity, user=user_of_person)
        notify_account_event(Event.FACE_LOGIN_NEW, user=user_of_person, person=person)
        return user_of_person, "linked"
    user = User(
        username=_new_username(),
        role=User.Role.CITIZEN,
        person=person,
        possession=User.Possession.FACE,
        possession_at=timezone.now(),
    )
    user.set_unusable_password()
    user.save()
    audit_record(actor=user, action="identity.account_created", target=user)
    _link(identity=identity, user=user)
    notify_account_event(Event.FACE_LOGIN_NEW, user=user, person=person)
    return user, "created"


def _take_back(user: User) -> None:
    """The person's face beats a password account that never proved it was theirs (made with
    a name and an ID number alone): its password stops working — which also ends its other
    sessions, whose hash no longer matches — its WeChat binding goes, and the account is the
    face-verified person's from now on."""
    user.set_unusable_password()
    user.possession = User.Possession.FACE
    user.possession_at = timezone.now()
    user.save(update_fields=["password", "possession", "possession_at"])
    binding = getattr(user, "wechat_binding", None)
    if binding is not None:
        binding.delete()
    audit_record(
        actor=user,
        action="identity.account_taken_back",
        target=user,
        detail={"password": "disabled", "wechat_unbound": binding is not None},
    )


def _linked(identity: VerifiedIdentity) -> ExternalIdentity | None:
    return (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=identity.issuer, subject=identity.subject)
        .first()
    )


def _step_up(*, identity: VerifiedIdentity, current: User, number: str) -> tuple[User, str]:
    """Already logged in: only the same person's face raises the session to L4."""
    person = person_by_identity(DocType.RESIDENT_ID, number)
    if current.person_id is None or person is None or person.pk != current.person_id:
        raise DomainError(
            "人脸识别的身份与当前登录的账号不是同一人，未作任何更改。"
            "如需以其他身份登录，请先退出当前账号。",
            code="other_person",
        )
    Person.objects.select_for_update().get(pk=person.pk)
    linked = _linked(identity)
    if linked is not None and linked.user_id != current.pk:
        raise DomainError(
            "该实名身份已绑定其他账号，请到社保卡服务网点核实。", code="identity_conflict"
        )
    _require_citizen(current)
    if not current.possession_proved:
        current.possession = User.Possession.FACE
        current.possession_at = timezone.now()
        current.save(update_fields=["possession", "possession_at"])
    if linked is None:
        _link(identity=identity, user=current)
    else:
        _touch(linked)
    return current, "step_up"


def _require_citizen(user: User) -> None:
    if not user.is_active:
        raise DomainError("该账号已停用，请联系社保卡服务网点。", code="inactive")
    if user.role != User.Role.CITIZEN:
        raise DomainError(
            "人脸识别登录仅用于个人账号，工作人员和单位请使用账号密码登录。",
            code="not_citizen",
        )


def _link(*, identity: VerifiedIdentity, user: User) -> ExternalIdentity:
    link = ExternalIdentity.objects.create(
        issuer=identity.issuer, subject=identity.subject, user=user, last_login_at=timezone.now()
    )
    audit_record(
        actor=user, action="identity.linked", target=link, detail={"issuer": identity.issuer}
    )
    return link


def _touch(link: ExternalIdentity) -> None:
    link.last_login_at = timezone.now()
    link.save(update_fields=["last_login_at"])


def _new_username() -> str:
    """Face-login accounts get a meaningless user name: never the ID number or the name."""
    return "rz" + secrets.token_hex(6)
