"""A draft's confirmation and submission (a new phone number proved first), and 我的办件:
the list, one application, 撤回 and 退回补正. Every URL that names a draft or an application
answers 404 unless it is the visitor's own."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from sscard.accounts.models import User
from sscard.accounts.requests import AuthedHttpRequest
from sscard.accounts.services import Relation
from sscard.accounts.trust import Action, StepUpRequired, ensure_trust
from sscard.applications.constants import WITHDRAWABLE, AppStatus, ItemCode
from sscard.applications.models import Application, ApplicationEvent
from sscard.applications.selectors import application_deadline, receipt_of, what_was_done
from sscard.applications.services import application_resubmit, application_withdraw
from sscard.core.errors import DomainError
from sscard.core.net import client_ip
from sscard.ecard.receipts import receipt_kinds
from sscard.payments.selectors import payment_summary
from sscard.portal import items as pages
from sscard.portal.appointment_views import appointments_context
from sscard.portal.models import Draft
from sscard.portal.services import draft_discard, draft_for, draft_uploads
from sscard.portal.views import bundle_or_404, item_or_404, posted_files
from sscard.verification.models import Purpose
from sscard.verification.services import (
    TooManyCodes,
    challenge_proved,
    challenge_send,
    challenge_start,
    challenge_verify,
    sending_wait,
)
from sscard.web.auth import portal_login_required, requester_of
from sscard.web.stepup import step_up_page

# what 退回补正 prefills of the applicant's own details from the application's form
CORRECTED_OWN_FIELDS = ("name", "phone", "address", "mail_address")


# ---------------------------------------------------------------------------------------------
# A draft: confirm and submit, or discard


@portal_login_required
def confirm(request: AuthedHttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    try:
        draft = draft_for(request.user, draft_id)
    except DomainError:
        return _submitted(request, draft_id)
    requester = requester_of(request)
    found = bundle_or_404(draft.data.get("_bundle", "sscard"))
    the_item = item_or_404(found, draft.item)
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
            "wait": sending_wait(phone=new_phone, user=request.user, client_ip=client_ip(request)),
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
    request: AuthedHttpRequest,
    draft: Draft,
    page: pages.ItemPage,
    target: pages.Target,
    code: str,
) -> HttpResponse | tuple[str, dict[str, str]]:
    """Run the item's service on the draft (a new phone number proved by ``code`` first):
    the receipt, or what was wrong (the message and the errors by field)."""
    requester = requester_of(request)
    try:
        # the files read (and a photo checked again only if the rules changed) before the
        # lock: no file or image work inside the transaction
        uploads = draft_uploads(draft)
    except DomainError as exc:
        return exc.message, {exc.field or "__all__": exc.message}
    with transaction.atomic():
        # One submission per draft: a second click waits here for the first, then finds
        # the draft gone (and its files with it) and shows the first one's receipt.
        locked = Draft.objects.select_for_update().filter(pk=draft.pk).first()
        if locked is None:
            return _submitted(request, draft.pk)
        changed = locked.files != draft.files  # uploaded again meanwhile, in another tab
        draft = locked  # read again under the lock, in the statement that takes it
        data = {k: v for k, v in draft.data.items() if not k.startswith("_")}
        challenge_id: str | None = None
        try:
            if changed:
                uploads = draft_uploads(draft)
            new_phone = page.phone_to_prove(target, data)
            if new_phone:
                # a wrong try is kept (its own savepoint) though nothing else is done
                challenge_id = _prove_new_phone(request, draft, new_phone, code)
            application = page.submit(
                requester,
                target,
                data,
                uploads,
                draft.pk,
                phone_challenge=challenge_id,
            )
        except StepUpRequired as exc:
            return step_up_page(request, exc)
        except DomainError as exc:
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


def _new_phone_challenge(request: AuthedHttpRequest, draft: Draft) -> str | None:
    kept = request.session.get(NEW_PHONE_KEY) or {}
    return kept.get("challenge") if kept.get("draft") == str(draft.pk) else None


def _send_new_phone_code(
    request: AuthedHttpRequest,
    draft: Draft,
    target: pages.Target,
    phone: str,
    proof: dict[str, Any],
) -> int:
    """获取验证码: a code to the NEW number (never the old one); the HTTP status of the page."""
    try:
        challenge = challenge_start(
            purpose=Purpose.NEW_PHONE,
            phone=phone,
            user=request.user,
            person=target.subject,
            client_ip=client_ip(request),
        )
        challenge_send(challenge)
    except DomainError as exc:
        proof["errors"] = {"code": exc.message}
        return 429 if isinstance(exc, TooManyCodes) else 503
    request.session[NEW_PHONE_KEY] = {"draft": str(draft.pk), "challenge": str(challenge.pk)}
    return 200


def _prove_new_phone(request: AuthedHttpRequest, draft: Draft, phone: str, code: str) -> str:
    """The challenge the entered code opens, for the service to spend with the change. A
    code entered right before a change that then failed for another reason still counts."""
    challenge_id = _new_phone_challenge(request, draft)
    if challenge_id is None:
        raise DomainError("请先获取验证码，验证码将发送至新手机号码", field="code")
    user = request.user
    if not challenge_proved(
        challenge_id=challenge_id, purpose=Purpose.NEW_PHONE, user=user, phone=phone
    ):
        challenge_verify(challenge_id=challenge_id, code=code, purpose=Purpose.NEW_PHONE, user=user)
    return challenge_id


def _submitted(request: AuthedHttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    """A draft that is gone was submitted already (a double click, the back button): show
    what it became."""
    done = Application.objects.filter(applicant=request.user, submission_key=draft_id).first()
    if done is not None:
        return redirect("portal:application", receipt=done.receipt_number)
    raise Http404


@portal_login_required
@require_POST
def discard(request: AuthedHttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    try:
        draft = draft_for(request.user, draft_id)
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


def own_application(
    request: AuthedHttpRequest, receipt: str, *, filed: bool = False
) -> Application:
    """One of the account's applications; ``filed`` — only one it filed itself (to withdraw or
    correct it)."""
    user = request.user
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
def applications(request: AuthedHttpRequest) -> HttpResponse:
    mine = list(
        Application.objects.filter(_mine(request.user))
        .select_related("subject")
        .order_by("-submitted_at")[:100]
    )
    # each application with what was done in it, in brief
    rows = [(application, what_was_done(application, brief=True)) for application in mine]
    drafts = Draft.objects.filter(user=request.user)
    return render(
        request,
        "portal/applications.html",
        {"applications": rows, "drafts": drafts, **appointments_context(request.user)},
    )


@portal_login_required
def application_detail(request: AuthedHttpRequest, receipt: str) -> HttpResponse:
    application = own_application(request, receipt)
    by_employer = application.applicant_id != request.user.pk
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
            "receipt_kinds": receipt_kinds(application),
            "payment": payment_summary(application),
        },
    )


@portal_login_required
@require_POST
def withdraw(request: AuthedHttpRequest, receipt: str) -> HttpResponse:
    application = own_application(request, receipt, filed=True)
    try:
        application_withdraw(requester=requester_of(request), application=application)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "办件已撤回")
    return redirect("portal:application", receipt=receipt)


@portal_login_required
def correct(request: AuthedHttpRequest, receipt: str) -> HttpResponse:
    """退回补正: read the reason, fix the entries, resubmit."""
    application = own_application(request, receipt, filed=True)
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
            return step_up_page(request, exc)
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
                files=posted_files(request),
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
        **pages.choices_context(),
        **pages.masked_view(form, own, reveal=reveal),
    }
    return render(request, "portal/correct.html", context, status=status)
