"""The citizen portal (“智慧人社”): 首页, 个人中心, 长辈模式, 打包一件事 → the bundle → 选择社保卡
→ the item. Views are thin: the items' pages live in :mod:`sscard.portal.items`, the rules in
the services; logins are in :mod:`sscard.portal.login_views`, the confirmation of a draft and
我的办件 in :mod:`sscard.portal.application_views`. Every URL that names a card, a person, a
draft or an application answers 404 unless it is the visitor's own."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from sscard.accounts.models import User
from sscard.accounts.requests import AuthedHttpRequest
from sscard.accounts.trust import Action, StepUpRequired, ensure_trust
from sscard.applications.catalogue import Bundle, Item, ItemKind, bundle, bundles
from sscard.applications.constants import WITHDRAWABLE, ItemCode, MaterialKind
from sscard.applications.forms import ward_document_error
from sscard.applications.materials import PreparedUpload, prepare_upload
from sscard.applications.models import Application
from sscard.applications.selectors import query_card_status, query_progress
from sscard.applications.services import application_confirm_receipt
from sscard.appointments.selectors import acts_for
from sscard.core.elder import ON, remember_elder_mode
from sscard.core.errors import DomainError
from sscard.photos.verdict import examine_photo
from sscard.portal import items as pages
from sscard.portal.login_views import face_login_url
from sscard.portal.models import Draft
from sscard.portal.services import draft_for, draft_save
from sscard.regions.selectors import region_settings
from sscard.web.auth import portal_login_required, requester_of, safe_next_of, session_trust
from sscard.web.stepup import step_up_page, take_stash


def posted_files(request: HttpRequest) -> dict[str, UploadedFile]:
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
    for kind, upload in posted_files(request).items():
        try:
            prepared[kind] = prepare_upload(kind, upload, region=region)
        except DomainError as exc:
            errors[kind] = exc.message
    return prepared, errors


@portal_login_required
@require_POST
def photo_check(request: AuthedHttpRequest) -> HttpResponse:
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
def ward_check(request: AuthedHttpRequest) -> HttpResponse:
    """申领 for a child: whether the number typed names someone a guardian may apply for,
    said beside it as soon as it is typed (htmx), before anything is uploaded."""
    error = ward_document_error(
        request.POST.get("doc_type", ""),
        request.POST.get("doc_number", ""),
        region=region_settings(),
        today=timezone.localdate(),
    )
    return render(request, "portal/_ward_check.html", {"error": error})


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


def _page_left(request: HttpRequest) -> str:
    """Where a switch of 长辈模式 goes back to: the ``next`` the form names, else the page it
    was sent from (an error page names none: it echoes nothing of its address), else 首页;
    never another site."""
    target = safe_next_of(request, "")
    if target:
        return target
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return reverse("portal:home")


@require_POST
def elder_switch(request: HttpRequest) -> HttpResponse:
    """长辈模式 on (``on`` = "1") or off, as the form says — not "the other mode": a page left
    open in another tab cannot undo the choice made since — kept in a cookie. A plain form
    goes back to its page; through htmx the page changes in place (portal/elder.js), keeping
    whatever was typed into it."""
    on = request.POST.get("on") == ON
    response: HttpResponse
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Trigger"] = json.dumps({"elderMode": {"on": on}})
    else:
        response = redirect(_page_left(request))
    remember_elder_mode(response, on=on)
    return response


# ---------------------------------------------------------------------------------------------
# 打包一件事 → the bundle → 选择社保卡 → the item


def bundle_or_404(code: str) -> Bundle:
    try:
        return bundle(code)
    except KeyError:
        raise Http404 from None


def item_or_404(found: Bundle, code: str) -> Item:
    try:
        return found.item(code)
    except KeyError:
        raise Http404 from None


def bundle_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/bundles.html", {"bundles": bundles()})


def bundle_detail(request: HttpRequest, code: str) -> HttpResponse:
    found = bundle_or_404(code)
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
def select_target(request: AuthedHttpRequest, code: str, item: str) -> HttpResponse:
    found = bundle_or_404(code)
    the_item = item_or_404(found, item)
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


@portal_login_required
def item_page(request: AuthedHttpRequest, code: str, item: str, target: str) -> HttpResponse:
    found = bundle_or_404(code)
    the_item = item_or_404(found, item)
    requester = requester_of(request)
    chosen = pages.target_of(the_item, requester, target)
    if chosen is None:
        raise Http404
    page = pages.PAGES[the_item.code]
    context: dict[str, Any] = {"bundle": found, "item": the_item, "target": chosen}
    try:
        pages.check_eligibility(the_item, requester, chosen)
    except StepUpRequired as exc:
        return step_up_page(request, exc)
    except DomainError as exc:
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
            draft = draft_for(request.user, draft_id)
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
    # a draft's files count only for the card or person they were uploaded for
    kept = set(draft.files) if draft and draft.data.get("_target") == chosen.key else set()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST" and request.POST.get("reveal"):
        # 查看完整信息: the person's own details in full need the level the region sets
        try:
            ensure_trust(Action.REVEAL_OWN, requester)
        except StepUpRequired as exc:
            return step_up_page(request, exc)
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
        except StepUpRequired as exc:
            return step_up_page(request, exc)
        except DomainError as exc:
            errors = dict(exc.errors or {}) or {exc.field or "__all__": exc.message}
            errors |= upload_errors  # a refused file is named beside its own field
            status = 400
        else:
            try:
                saved = draft_save(
                    user=request.user,
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
                    user=request.user,
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


def _query(
    request: AuthedHttpRequest, item: Item, target: pages.Target, context: dict
) -> HttpResponse:
    requester = requester_of(request)
    if item.code == ItemCode.PROGRESS:
        try:
            context["progress"] = query_progress(requester=requester, subject=target.the_person)
        except DomainError as exc:
            context["blocked"] = exc.message
            return render(request, "portal/blocked.html", context)
        # 预约领卡 is offered to the holder and to a guardian whose guardianship is confirmed
        context["may_book"] = context["progress"].ready_for_handover and acts_for(
            request.user, target.the_person
        )
        return render(request, "portal/items/progress.html", context)
    context["status"] = query_card_status(requester=requester, card=target.the_card)
    return render(request, "portal/items/status.html", context)


@portal_login_required
def confirm_receipt(request: AuthedHttpRequest, code: str, target: str) -> HttpResponse:
    """确认收到 a mailed card, from 制卡进度: tick “我已收到”, then 确认收到 (a step-up first
    when the login is not sure enough of the person; the tick is kept across it)."""
    found = bundle_or_404(code)
    the_item = item_or_404(found, ItemCode.PROGRESS)
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
            except StepUpRequired as exc:
                return step_up_page(request, exc)
            except DomainError as exc:
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
