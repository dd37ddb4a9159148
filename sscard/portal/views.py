"""The citizen portal (“智慧人社”): 首页, 个人中心, both logins, 打包一件事 → the seven items,
我的办件. Views are thin: the items' pages live in :mod:`sscard.portal.items`, the rules in
the services. Every URL that names a card, a person, a draft or an application answers 404
unless it is the visitor's own."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sscard.accounts.models import User
from sscard.accounts.services import Relation
from sscard.accounts.trust import Action, StepUpRequired, ensure_trust
from sscard.applications.catalogue import Bundle, Item, ItemKind, bundle, bundles
from sscard.applications.constants import WITHDRAWABLE, AppStatus, ItemCode, MaterialKind
from sscard.applications.forms import ward_document_error
from sscard.applications.materials import PreparedUpload, prepare_upload
from sscard.applications.models import Application, ApplicationEvent
from sscard.applications.selectors import (
    application_deadline,
    query_card_status,
    query_progress,
    receipt_of,
    what_was_done,
)
from sscard.applications.services import (
    application_confirm_receipt,
    application_resubmit,
    application_withdraw,
)
from sscard.audit.services import audit_record
from sscard.core.errors import DomainError
from sscard.core.masking import mask_phone
from sscard.core.net import client_ip
from sscard.identity.services import face_login_url as identity_login_url
from sscard.photos.verdict import examine_photo
from sscard.portal import items as pages
from sscard.portal.auth import (
    PUBLIC_ROLES,
    WECHAT_TRIED_KEY,
    portal_login,
    portal_login_required,
    requester_of,
    session_trust,
)
from sscard.portal.forms import LoginForm, RegisterForm
from sscard.portal.models import Draft
from sscard.portal.services import (
    CODE_SENT,
    draft_discard,
    draft_for,
    draft_save,
    draft_uploads,
    registration_complete,
    registration_resend,
    registration_start,
)
from sscard.portal.verify import step_up_page, take_stash
from sscard.regions.selectors import region_settings
from sscard.verification.models import Challenge, Purpose
from sscard.verification.services import (
    challenge_proved,
    challenge_send,
    challenge_start,
    challenge_verify,
    sending_wait,
)

ELDER_KEY = "elder"
# what 退回补正 prefills of the applicant's own details from the application's form
CORRECTED_OWN_FIELDS = ("name", "phone", "address", "mail_address")


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _user(request: HttpRequest) -> User:
    """The signed-in citizen or employer (views behind portal_login_required)."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101
    return user


def _uploads(request: HttpRequest) -> dict[str, UploadedFile]:
    """The uploaded materials of a posted form, one file per kind."""
    return {
        kind: upload
        for kind in MaterialKind.values
        if (upload := request.FILES.get(kind)) is not None
    }


def _prepared_uploads(request: HttpRequest) -> tuple[dict[str, PreparedUpload], dict[str, str]]:
    """The posted materials, hardened (type by content, metadata stripped) and, for the photo,
    checked against the card-photo spec and fixed where it can be — once: the draft keeps the
    prepared file with its report, and the confirmation hands both on. A file refused is
    reported beside its field and not kept."""
    region = region_settings()
    prepared: dict[str, PreparedUpload] = {}
    errors: dict[str, str] = {}
    for kind, upload in _uploads(request).items():
        try:
            prepared[kind] = prepare_upload(kind, upload, region=region)
        except DomainError as exc:
            errors[kind] = exc.message
    return prepared, errors


@portal_login_required
@require_POST
def photo_check(request: HttpRequest) -> HttpResponse:
    """The photo's verdict as soon as it is chosen (htmx): what is wrong with it, precisely,
    or the photo as it will be used — fixed automatically where it could be."""
    upload = request.FILES.get("photo")
    if upload is None:
        return HttpResponse(status=204)
    verdict = examine_photo(upload, region=region_settings())
    return render(
        request,
        "portal/_photo_verdict.html",
        {**verdict.context(), "verdict": verdict, "preview": verdict.data_url()},
    )


@portal_login_required
@require_POST
def ward_check(request: HttpRequest) -> HttpResponse:
    """申领 for a child: whether the number typed names someone a guardian may apply for,
    said beside it as soon as it is typed (htmx), before anything is uploaded."""
    error = ward_document_error(
        request.POST.get("doc_type", ""),
        request.POST.get("doc_number", ""),
        region=region_settings(),
        today=timezone.localdate(),
    )
    return render(request, "portal/_ward_check.html", {"error": error})


def face_login_url(next_url: str) -> str:
    """人脸识别登录 (the real-name identity provider), coming back to ``next_url``."""
    return identity_login_url(next_path=next_url)


# ---------------------------------------------------------------------------------------------
# Home, 个人中心, 长辈模式


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"bundles": bundles()})


@never_cache
def center(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "idle_logout": request.session.pop("idle_logout", False),
        "session_expired": request.session.pop("session_expired", False),
    }
    if user.is_authenticated and isinstance(user, User):
        context["trust"] = session_trust(request)
        context["person"] = user.person
        context["open_count"] = Application.objects.filter(
            applicant=user, status__in=WITHDRAWABLE
        ).count()
        context["draft_count"] = Draft.objects.filter(user=user).count()
        context["face_url"] = face_login_url(reverse("portal:center"))
        context["wechat"] = getattr(user, "wechat_binding", None)
    return render(request, "portal/center.html", context)


@require_POST
def elder_mode(request: HttpRequest) -> HttpResponse:
    request.session[ELDER_KEY] = not request.session.get(ELDER_KEY, False)
    return redirect(_safe_next(request, reverse("portal:center")))


# ---------------------------------------------------------------------------------------------
# Logins


@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, reverse("portal:home"))
    form = LoginForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert form.user is not None  # noqa: S101 — set by a valid form
        if form.user.role not in PUBLIC_ROLES:
            # staff sign in at the back office, with their second factor: a staff password
            # alone opens no session here
            return redirect("backoffice:login")
        portal_login(request, form.user)
        audit_record(actor=form.user, action="login.password", target=form.user)
        return render(request, "portal/login_done.html", {"next": next_url})
    return render(
        request,
        "portal/login.html",
        {"form": form, "next": next_url, "face_url": face_login_url(next_url)},
        status=400 if request.method == "POST" else 200,
    )


def captcha_refresh(request: HttpRequest) -> HttpResponse:
    """换一张: a new captcha in place (htmx); without JavaScript the link reloads the page."""
    return render(request, "portal/_captcha.html", {"field": LoginForm(request)["captcha"]})


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> Any:
    """django-axes: too many failures for this account from this address. Staff are locked
    out the same way at their own login page."""
    if request.path.startswith(("/staff/", "/admin/")):
        from sscard.backoffice.forms import StaffLoginForm

        return render(
            request,
            "backoffice/login.html",
            {"form": StaffLoginForm(request), "locked": True, "next": ""},
            status=429,
        )
    next_url = _safe_next(request, reverse("portal:home"))
    form = LoginForm(request, None)
    return render(
        request,
        "portal/login.html",
        {
            "form": form,
            "next": next_url,
            "locked": True,
            "face_url": face_login_url(next_url),
        },
        status=429,
    )


REGISTER_KEY = "register_challenge"


@never_cache
def register(request: HttpRequest) -> HttpResponse:
    """注册个人账号, step one: the entries, then the same answer whoever the number names."""
    form = RegisterForm(request.POST or None, guardian_age=region_settings().guardian_age)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assert form.facts is not None  # noqa: S101 — set by a valid form
        try:
            challenge = registration_start(
                facts=form.facts,
                name=data["name"],
                phone=data["phone"],
                username=data["username"],
                password=data["password1"],
                gender=data["gender"],
                birth_date=data["birth_date"],
                nationality=data["nationality"],
                client_ip=client_ip(request),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            request.session[REGISTER_KEY] = str(challenge.pk)
            return redirect("portal:register_code")
    return render(
        request, "portal/register.html", {"form": form}, status=400 if form.errors else 200
    )


@never_cache
def register_code(request: HttpRequest) -> HttpResponse:
    """注册个人账号, step two: the code texted in step one links the account."""
    challenge_id = str(request.session.get(REGISTER_KEY) or uuid.UUID(int=0))
    challenge = Challenge.objects.filter(pk=challenge_id, purpose=Purpose.REGISTER).first()
    if challenge is None:
        return redirect("portal:register")
    error, status = "", 200
    if request.method == "POST" and request.POST.get("action") == "resend":
        try:
            challenge = registration_resend(challenge=challenge, client_ip=client_ip(request))
        except DomainError as exc:
            error, status = exc.message, 429
        else:
            request.session[REGISTER_KEY] = str(challenge.pk)
    elif request.method == "POST":
        try:
            challenge_verify(
                challenge_id=challenge.pk,
                code=request.POST.get("code", ""),
                purpose=Purpose.REGISTER,
            )
            user = registration_complete(challenge_id=challenge.pk)
        except DomainError as exc:
            error, status = exc.message, 400
        else:
            request.session.pop(REGISTER_KEY, None)
            portal_login(request, user)
            messages.success(request, "注册成功，已为您登录")
            return redirect("portal:center")
    typed = mask_phone(str(challenge.payload.get("phone", "")))
    return render(
        request,
        "portal/register_code.html",
        {
            "sent_message": CODE_SENT.format(phone=typed),
            "error": error,
            "face_url": face_login_url(reverse("portal:center")),
            "wait": sending_wait(
                phone=str(challenge.payload.get("phone", "")), client_ip=client_ip(request)
            ),
        },
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    request.session[WECHAT_TRIED_KEY] = True  # logged out inside WeChat stays logged out
    return redirect("portal:center")


# ---------------------------------------------------------------------------------------------
# 打包一件事 → the bundle → 选择社保卡 → the item


def _bundle(code: str) -> Bundle:
    try:
        return bundle(code)
    except KeyError:
        raise Http404 from None


def _item(found: Bundle, code: str) -> Item:
    try:
        return found.item(code)
    except KeyError:
        raise Http404 from None


def bundle_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/bundles.html", {"bundles": bundles()})


def bundle_detail(request: HttpRequest, code: str) -> HttpResponse:
    found = _bundle(code)
    error = ""
    if request.method == "POST":
        chosen = request.POST.get("item", "")
        if chosen in {item.code for item in found.items}:
            return redirect("portal:select", code=found.code, item=chosen)
        error = "请勾选一项需要办理的事项"
    return render(
        request,
        "portal/bundle.html",
        {"bundle": found, "error": error, "chosen": request.POST.get("item", "")},
        status=400 if error else 200,
    )


@portal_login_required
def select_target(request: HttpRequest, code: str, item: str) -> HttpResponse:
    found = _bundle(code)
    the_item = _item(found, item)
    requester = requester_of(request)
    listed = pages.targets(the_item, requester)
    error = ""
    if request.method == "POST":
        key = request.POST.get("target", "")
        if any(target.key == key for target in listed):
            return redirect("portal:item", code=found.code, item=item, target=key)
        error = "请选择社保卡" if the_item.needs_card else "请选择办理对象"
    return render(
        request,
        "portal/select.html",
        {"bundle": found, "item": the_item, "targets": listed, "error": error},
        status=400 if error else 200,
    )


def _token(raw: str | None) -> uuid.UUID | None:
    """A form token or draft id from the request, if it is one."""
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


def _step_up(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return step_up_page(request, exc)


@portal_login_required
def item_page(request: HttpRequest, code: str, item: str, target: str) -> HttpResponse:
    found = _bundle(code)
    the_item = _item(found, item)
    requester = requester_of(request)
    chosen = pages.target_of(the_item, requester, target)
    if chosen is None:
        raise Http404
    page = pages.PAGES[the_item.code]
    context: dict[str, Any] = {"bundle": found, "item": the_item, "target": chosen}
    try:
        pages.check_eligibility(the_item, requester, chosen)
    except DomainError as exc:
        if exc.code == "step_up_required":
            return _step_up(request, exc)
        context["blocked"] = exc.message
        return render(request, "portal/blocked.html", context)

    if the_item.kind == ItemKind.QUERY:
        return _query(request, the_item, chosen, context)

    draft: Draft | None = None
    # the form token names the draft; a post without a valid one starts a new draft
    token = _token(request.POST.get("token")) if request.method == "POST" else None
    draft_id = token or _token(request.GET.get("draft"))
    if draft_id:
        try:
            draft = draft_for(_user(request), draft_id)
        except DomainError:
            draft = None
    values = (
        page.values_of(requester, chosen, dict(draft.data))
        if draft
        else page.initial(requester, chosen)
    )
    if request.method == "GET":
        # back from a step-up: what was chosen and typed before it is shown again (a record
        # detail left empty beside its masked value is shown as the record has it)
        stash = take_stash(request) or {}
        values |= {
            key: value
            for key, value in stash.items()
            if key != "reveal" and (value or key not in page.record_fields)
        }
        values = page.shown(requester, chosen, values)
    kept = set(draft.files) if draft else set()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST" and request.POST.get("reveal"):
        # 查看完整信息: the person's own details in full need the level the region sets
        try:
            ensure_trust(Action.REVEAL_OWN, requester)
        except StepUpRequired as exc:
            return _step_up(request, exc)
        values = {
            **page.initial(requester, chosen),
            **{
                key: value
                for key, value in request.POST.dict().items()
                if key not in ("reveal", "csrfmiddlewaretoken")
                and (value or key not in page.record_fields)
            },
        }
    elif request.method == "POST":
        values = request.POST.dict()
        # uploads are hardened (and a photo checked and fixed) before they are kept anywhere
        uploads, upload_errors = _prepared_uploads(request)
        try:
            data = page.clean(requester, chosen, request.POST, uploads, kept)
            if upload_errors:
                raise DomainError("上传的材料不符合要求", errors=upload_errors)
        except DomainError as exc:
            if exc.code == "step_up_required":
                return _step_up(request, exc)
            errors = dict(exc.errors or {}) or {exc.field or "__all__": exc.message}
            errors |= upload_errors  # a refused file is named beside its own field
            status = 400
        else:
            try:
                saved = draft_save(
                    user=_user(request),
                    item=the_item.code,
                    draft_id=token or uuid.uuid4(),
                    subject=chosen.subject,
                    card=chosen.card,
                    data={**data, "_target": chosen.key, "_bundle": found.code},
                    uploads=uploads,
                )
            except DomainError:  # the token names another account's or another item's draft
                raise Http404 from None
            return redirect("portal:confirm", draft_id=saved.pk)
        # files just uploaded are not lost when another field is wrong
        if uploads and token:
            try:
                draft = draft_save(
                    user=_user(request),
                    item=the_item.code,
                    draft_id=token,
                    subject=chosen.subject,
                    card=chosen.card,
                    # the entries checked before (if any) stay: the confirmation shows those
                    data={
                        **(draft.data if draft else {}),
                        "_target": chosen.key,
                        "_bundle": found.code,
                    },
                    uploads=uploads,
                )
            except DomainError:
                raise Http404 from None
            kept = set(draft.files)
    context |= page.context(requester, chosen)
    context |= {
        "values": values,
        "errors": errors,
        "kept": kept,
        "token": str(draft.pk) if draft else str(uuid.uuid4()),
    }
    return render(request, page.template, context, status=status)


def _query(request: HttpRequest, item: Item, target: pages.Target, context: dict) -> HttpResponse:
    requester = requester_of(request)
    if item.code == ItemCode.PROGRESS:
        assert target.person is not None  # noqa: S101
        try:
            context["progress"] = query_progress(requester=requester, subject=target.person)
        except DomainError as exc:
            context["blocked"] = exc.message
            return render(request, "portal/blocked.html", context)
        return render(request, "portal/items/progress.html", context)
    assert target.card is not None  # noqa: S101
    context["status"] = query_card_status(requester=requester, card=target.card)
    return render(request, "portal/items/status.html", context)


@portal_login_required
def confirm_receipt(request: HttpRequest, code: str, target: str) -> HttpResponse:
    """确认收到 a mailed card, from 制卡进度: tick “我已收到”, then 确认收到 (a step-up first
    when the login is not sure enough of the person; the tick is kept across it)."""
    found = _bundle(code)
    the_item = _item(found, ItemCode.PROGRESS)
    requester = requester_of(request)
    chosen = pages.target_of(the_item, requester, target)
    if chosen is None or chosen.person is None:
        raise Http404
    progress_url = reverse("portal:item", args=[found.code, the_item.code, chosen.key])
    context: dict[str, Any] = {"bundle": found, "item": the_item, "target": chosen}
    try:
        progress = query_progress(requester=requester, subject=chosen.person)
    except DomainError as exc:
        context["blocked"] = exc.message
        return render(request, "portal/blocked.html", context)
    order = progress.application.production_order
    if order is None or not progress.receivable:
        if progress.collected:
            messages.info(request, "社保卡已确认收到，无需重复确认")
            return redirect(progress_url)
        context["blocked"] = "社保卡尚未寄出或为网点领取，暂无需确认收到"
        return render(request, "portal/blocked.html", context)
    # back from a step-up: the tick given before it is kept
    values = (take_stash(request) or {}) if request.method == "GET" else request.POST.dict()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if values.get("received") != "on":
            errors["received"] = "请勾选“我已收到本人（被监护人）的社会保障卡，卡面信息无误”"
        else:
            try:
                application_confirm_receipt(requester=requester, order=order)
            except DomainError as exc:
                if exc.code == "step_up_required":
                    return _step_up(request, exc)
                errors["__all__"] = exc.message
            else:
                messages.success(
                    request,
                    "已确认收到社保卡，本次申请已办结。社保卡现为“封存”状态，请办理社保卡启用",
                )
                return redirect(progress_url)
    context |= {
        "progress": progress,
        "card": order.card,
        "values": values,
        "errors": errors,
        "progress_url": progress_url,
    }
    return render(request, "portal/items/receive.html", context, status=400 if errors else 200)


@portal_login_required
def confirm(request: HttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    try:
        draft = draft_for(_user(request), draft_id)
    except DomainError:
        return _submitted(request, draft_id)
    requester = requester_of(request)
    found = _bundle(draft.data.get("_bundle", "sscard"))
    the_item = _item(found, draft.item)
    target = pages.target_of(the_item, requester, draft.data.get("_target", ""))
    if target is None:
        raise Http404
    page = pages.PAGES[the_item.code]
    data = {k: v for k, v in draft.data.items() if not k.startswith("_")}
    edit_url = reverse("portal:item", args=[found.code, the_item.code, target.key])
    if not data:
        # only uploads kept beside an error so far: nothing checked to confirm yet
        return redirect(f"{edit_url}?draft={draft.pk}")
    error = ""
    new_phone = page.phone_to_prove(target, data)
    proof: dict[str, Any] = {"code": "", "errors": {}}
    status = 200
    if request.method == "POST" and new_phone and request.POST.get("action") == "send_code":
        status = _send_new_phone_code(request, draft, target, new_phone, proof)
    elif request.method == "POST":
        proof["code"] = request.POST.get("code", "")
        response = _submit(request, draft, page, target, proof["code"])
        if isinstance(response, HttpResponse):
            return response
        error, field_errors = response
        proof["errors"] = {k: v for k, v in field_errors.items() if k == "code"}
        status = 400
    if new_phone:
        proof |= {
            "phone": new_phone,
            "sent": _new_phone_challenge(request, draft) is not None,
            "wait": sending_wait(
                phone=new_phone, user=_user(request), client_ip=client_ip(request)
            ),
        }
    return render(
        request,
        "portal/confirm.html",
        {
            "item": the_item,
            "target": target,
            # (with the draft's own notes, such as which details were left as on record)
            "rows": page.summary(requester, target, dict(draft.data)),
            "draft": draft,
            "error": error,
            "edit_url": f"{edit_url}?draft={draft.pk}",
            "proof": proof if new_phone else None,
        },
        status=status,
    )


def _submit(
    request: HttpRequest,
    draft: Draft,
    page: pages.ItemPage,
    target: pages.Target,
    code: str,
) -> HttpResponse | tuple[str, dict[str, str]]:
    """Run the item's service on the draft (a new phone number proved by ``code`` first):
    the receipt, or what was wrong (the message and the errors by field)."""
    requester = requester_of(request)
    with transaction.atomic():
        # One submission per draft: a second click waits here for the first, then finds
        # the draft gone (and its files with it) and shows the first one's receipt.
        if not Draft.objects.select_for_update().filter(pk=draft.pk).values_list("pk"):
            return _submitted(request, draft.pk)
        draft.refresh_from_db()
        data = {k: v for k, v in draft.data.items() if not k.startswith("_")}
        challenge_id: str | None = None
        try:
            new_phone = page.phone_to_prove(target, data)
            if new_phone:
                # a wrong try is kept (its own savepoint) though nothing else is done
                challenge_id = _prove_new_phone(request, draft, new_phone, code)
            application = page.submit(
                requester,
                target,
                data,
                draft_uploads(draft),
                draft.pk,
                phone_challenge=challenge_id,
            )
        except DomainError as exc:
            if exc.code == "step_up_required":
                return _step_up(request, exc)
            errors = dict(exc.errors or {}) or {exc.field or "__all__": exc.message}
            if set(errors) == {"code"}:  # shown beside the code field
                return "", errors
            return "；".join(errors.values()) if exc.errors else exc.message, errors
        draft_discard(draft)
    request.session.pop(NEW_PHONE_KEY, None)
    return redirect(f"{reverse('portal:application', args=[application.receipt_number])}?done=1")


# 信息变更 of the phone: the new number is proved by a code texted to it (purpose new_phone);
# the challenge waits in the session beside the draft it belongs to.
NEW_PHONE_KEY = "new_phone_challenge"


def _new_phone_challenge(request: HttpRequest, draft: Draft) -> str | None:
    kept = request.session.get(NEW_PHONE_KEY) or {}
    return kept.get("challenge") if kept.get("draft") == str(draft.pk) else None


def _send_new_phone_code(
    request: HttpRequest, draft: Draft, target: pages.Target, phone: str, proof: dict[str, Any]
) -> int:
    """获取验证码: a code to the NEW number (never the old one); the HTTP status of the page."""
    try:
        challenge = challenge_start(
            purpose=Purpose.NEW_PHONE,
            phone=phone,
            user=_user(request),
            person=target.subject,
            client_ip=client_ip(request),
        )
        challenge_send(challenge)
    except DomainError as exc:
        proof["errors"] = {"code": exc.message}
        return 429 if exc.code == "too_many" else 503
    request.session[NEW_PHONE_KEY] = {"draft": str(draft.pk), "challenge": str(challenge.pk)}
    return 200


def _prove_new_phone(request: HttpRequest, draft: Draft, phone: str, code: str) -> str:
    """The challenge the entered code opens, for the service to spend with the change. A
    code entered right before a change that then failed for another reason still counts."""
    challenge_id = _new_phone_challenge(request, draft)
    if challenge_id is None:
        raise DomainError("请先获取验证码，验证码将发送至新手机号码", field="code")
    user = _user(request)
    if not challenge_proved(
        challenge_id=challenge_id, purpose=Purpose.NEW_PHONE, user=user, phone=phone
    ):
        challenge_verify(challenge_id=challenge_id, code=code, purpose=Purpose.NEW_PHONE, user=user)
    return challenge_id


def _submitted(request: HttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    """A draft that is gone was submitted already (a double click, the back button): show
    what it became."""
    done = Application.objects.filter(applicant=_user(request), submission_key=draft_id).first()
    if done is not None:
        return redirect("portal:application", receipt=done.receipt_number)
    raise Http404


@portal_login_required
@require_POST
def discard(request: HttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    try:
        draft = draft_for(_user(request), draft_id)
    except DomainError:
        raise Http404 from None
    draft_discard(draft)
    messages.success(request, "草稿已删除")
    return redirect("portal:applications")


# ---------------------------------------------------------------------------------------------
# 我的办件


def _mine(user: User) -> Q:
    """The account's own applications, and those its employer filed for it (单位申报), which
    the employee follows here while the employer handles 补正 and 撤回."""
    mine = Q(applicant=user)
    if user.person_id is not None:
        mine |= Q(subject_id=user.person_id, relation=Relation.EMPLOYER)
    return mine


def _own_application(request: HttpRequest, receipt: str, *, filed: bool = False) -> Application:
    """One of the account's applications; ``filed`` — only one it filed itself (to withdraw or
    correct it)."""
    user = _user(request)
    application = (
        Application.objects.filter(
            Q(applicant=user) if filed else _mine(user), receipt_number=receipt
        )
        .select_related("subject", "card", "production_order")
        .prefetch_related(Prefetch("events", queryset=ApplicationEvent.objects.order_by("at")))
        .first()
    )
    if application is None:
        raise Http404
    return application


@portal_login_required
def applications(request: HttpRequest) -> HttpResponse:
    mine = list(
        Application.objects.filter(_mine(_user(request)))
        .select_related("subject")
        .order_by("-submitted_at")[:100]
    )
    for application in mine:
        application.done = what_was_done(application, brief=True)  # type: ignore[attr-defined]
    drafts = Draft.objects.filter(user=_user(request))
    return render(request, "portal/applications.html", {"applications": mine, "drafts": drafts})


@portal_login_required
def application_detail(request: HttpRequest, receipt: str) -> HttpResponse:
    application = _own_application(request, receipt)
    by_employer = application.applicant_id != _user(request).pk
    deadline = application_deadline(application)
    return render(
        request,
        "portal/application.html",
        {
            "application": application,
            "receipt": receipt_of(application),
            "deadline": deadline,
            "done": request.GET.get("done") == "1",
            "events": application.events.all(),
            "by_employer": by_employer,
            "withdrawable": application.status in WITHDRAWABLE and not by_employer,
            "returned": application.status == AppStatus.RETURNED and not by_employer,
            "progress_key": f"person-{application.subject_id}",
        },
    )


@portal_login_required
@require_POST
def withdraw(request: HttpRequest, receipt: str) -> HttpResponse:
    application = _own_application(request, receipt, filed=True)
    try:
        application_withdraw(requester=requester_of(request), application=application)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "办件已撤回")
    return redirect("portal:application", receipt=receipt)


@portal_login_required
def correct(request: HttpRequest, receipt: str) -> HttpResponse:
    """退回补正: read the reason, fix the entries, resubmit."""
    application = _own_application(request, receipt, filed=True)
    if application.status != AppStatus.RETURNED:
        return redirect("portal:application", receipt=receipt)
    requester = requester_of(request)
    form = dict(application.form_data)
    # the applicant's own details, as the form holds them: masked after a password login
    # (Action.REVEAL_OWN); a field left empty or sent back masked keeps the form's value
    reveal = pages.may_reveal(requester)
    own = CORRECTED_OWN_FIELDS
    if request.method == "GET" and request.GET.get("reveal") and not reveal:
        try:
            ensure_trust(Action.REVEAL_OWN, requester)
        except StepUpRequired as exc:
            return _step_up(request, exc)
    values = dict(form) if reveal else pages.hide_current_values(form, dict(form), own)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        posted = {k: v for k, v in request.POST.dict().items() if k != "csrfmiddlewaretoken"}
        values = {**form, **request.POST.dict()}
        if not reveal:
            values = pages.hide_current_values(form, values, own)
        try:
            application_resubmit(
                requester=requester,
                application=application,
                data=pages.keep_current_values(form, posted, own),
                files=_uploads(request),
            )
        except DomainError as exc:
            errors = dict(exc.errors or {}) or {exc.field or "__all__": exc.message}
            status = 400
        else:
            messages.success(request, "已重新提交，请等待审核")
            return redirect("portal:application", receipt=receipt)
    context = {
        "application": application,
        "values": values,
        "errors": errors,
        "reason": application.staff_note,
        "is_apply": application.item == ItemCode.APPLY,
        "kept": set(application.materials.values_list("kind", flat=True)),
        **pages._choices_context(),
        **pages.masked_view(form, own, reveal=reveal),
    }
    return render(request, "portal/correct.html", context, status=status)
