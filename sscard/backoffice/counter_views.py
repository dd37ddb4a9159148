"""窗口代办: a member of staff serves a person who came to the counter. The staff member checks
the person's identity document, types its number (looked up through the keyed hash), and does
any of the seven items through the same services as the portal, recorded as done by them
(``Requester(counter=True)``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from sscard.accounts.models import Person
from sscard.accounts.requests import AuthedHttpRequest
from sscard.accounts.services import Relation, person_by_identity
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import selectors, services
from sscard.applications.catalogue import SSCARD
from sscard.applications.constants import AppStatus, ItemCode, ReissueKind, ReplaceReason
from sscard.applications.models import Application
from sscard.applications.services import LossAction
from sscard.audit.services import audit_record
from sscard.backoffice import roles
from sscard.backoffice.access import staff_view
from sscard.backoffice.forms import IdentityForm
from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.core.documents import DocumentError, Gender, validate_document
from sscard.core.errors import DomainError, add_to_form
from sscard.core.ethnicities import ETHNICITIES
from sscard.core.formfields import DocumentNumberField
from sscard.ecard.receipts import (
    PdfFontMissing,
    ReceiptKind,
    ReceiptNotReady,
    receipt_kinds,
    receipt_pdf,
)
from sscard.production.constants import Delivery
from sscard.regions.selectors import active_banks, open_outlets

SESSION_KEY = "counter_person"
# the receipts of what this session did at the counter: printed here as the portal's PDF
RECEIPTS_KEY = "counter_receipts"
RECEIPTS_KEPT = 20


def _requester(request: AuthedHttpRequest) -> Requester:
    user = request.user
    # the document was checked in person at the counter: the strongest identity assurance
    return Requester(user=user, trust=TrustLevel.L4, counter=True)


def _person(request: AuthedHttpRequest) -> Person | None:
    pk = request.session.get(SESSION_KEY)
    return Person.objects.filter(pk=pk).first() if pk else None


# ---------------------------------------------------------------------------------------------
# Forms


def _banks() -> list[tuple[str, str]]:
    return [("", "请选择"), *((bank.code, bank.name) for bank in active_banks())]


def _outlets() -> list[tuple[str, str]]:
    return [("", "请选择"), *((o.code, o.name) for o in open_outlets())]


class DeliveryFields(forms.Form):
    # the active banks and outlets, read again each time the choices are listed
    bank = forms.ChoiceField(label="合作银行", choices=_banks)
    delivery = forms.ChoiceField(label="领卡方式", choices=Delivery.choices)
    outlet = forms.ChoiceField(label="领卡网点", choices=_outlets, required=False)
    mail_address = forms.CharField(label="邮寄地址", required=False, max_length=120)


class ApplyForm(DeliveryFields):
    doc_type = IdentityForm.base_fields["doc_type"]
    doc_number = DocumentNumberField()
    name = forms.CharField(label="姓名", max_length=60)
    gender = forms.ChoiceField(label="性别", choices=Gender.choices)
    ethnicity = forms.ChoiceField(
        label="民族",
        choices=[("", "（非中国公民不填）")] + [(e, e) for e in ETHNICITIES],
        required=False,
    )
    nationality = forms.CharField(label="国籍", max_length=40, initial="中国", required=False)
    birth_date = forms.DateField(label="出生日期", required=False)
    phone = forms.CharField(label="手机号码", max_length=11)
    address = forms.CharField(label="通讯地址", max_length=120)
    postcode = forms.CharField(label="邮政编码", max_length=6, required=False)
    occupation = forms.CharField(label="职业", max_length=40, required=False)
    photo = forms.FileField(label="证件照（1寸白底免冠彩色电子证件照）")

    field_order = ["doc_type", "doc_number", "name", "gender", "ethnicity", "nationality"]


def _card_field(cards: list[Card]) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="社保卡",
        choices=[(str(c.pk), f"{c.masked_number}（{c.get_status_display()}）") for c in cards],
    )


class CardChoice(forms.Form):
    card = _card_field([])  # declared here for its place in the form; the person's cards below

    def __init__(self, *args: Any, cards: list[Card], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cards = {str(c.pk): c for c in cards}
        self.fields["card"] = _card_field(cards)

    def chosen(self) -> Card:
        return self.cards[self.cleaned_data["card"]]


class EnableForm(CardChoice):
    password = forms.CharField(label="社保服务密码（6位数字）", widget=forms.PasswordInput)
    password2 = forms.CharField(label="再次输入", widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        return data


class LossForm(CardChoice):
    action = forms.ChoiceField(
        label="办理",
        choices=[
            (LossAction.TEMPORARY, "临时挂失"),
            (LossAction.FORMAL, "正式挂失（不可解挂）"),
            (LossAction.CANCEL, "解挂"),
        ],
    )
    confirm = forms.BooleanField(label="已告知：正式挂失后不能解挂，只能补卡", required=False)


class ReissueForm(CardChoice, DeliveryFields):
    kind = forms.ChoiceField(label="补换类型", choices=ReissueKind.choices)
    reason = forms.ChoiceField(
        label="换卡原因", choices=[("", "（补卡不填）"), *ReplaceReason.choices], required=False
    )
    note = forms.CharField(label="补充说明", max_length=200, required=False)
    photo = forms.FileField(label="新证件照（不上传则沿用原照片）", required=False)


class ResubmitForm(forms.Form):
    photo = forms.FileField(label="新证件照（不上传则沿用原照片）", required=False)
    address = forms.CharField(
        label="更正后的通讯地址（无需更正不填）", max_length=120, required=False
    )


class ChangeForm(forms.Form):
    phone = forms.CharField(label="手机号码", max_length=11, required=False)
    address = forms.CharField(label="通讯地址", max_length=120, required=False)
    postcode = forms.CharField(label="邮政编码", max_length=6, required=False)
    occupation = forms.CharField(label="职业", max_length=40, required=False)


# ---------------------------------------------------------------------------------------------
# Views


@staff_view(roles.COUNTER)
@require_http_methods(["GET", "POST"])
def counter_home(request: AuthedHttpRequest) -> HttpResponse:
    """Identify the person at the counter by their document; then pick the item."""
    if request.method == "POST" and request.POST.get("end"):
        request.session.pop(SESSION_KEY, None)
        return redirect("backoffice:counter")
    form = IdentityForm(request.POST or None)
    not_found = False
    if request.method == "POST" and form.is_valid():
        try:
            facts = validate_document(
                form.cleaned_data["doc_type"],
                form.cleaned_data["doc_number"],
                today=timezone.localdate(),
            )
        except DocumentError as exc:
            form.add_error("doc_number", exc.message)
        else:
            person = person_by_identity(facts.doc_type, facts.number)
            audit_record(
                actor=request.user,
                action="counter.identified",
                target=person,
                detail={"found": person is not None},
            )
            if person is not None:
                request.session[SESSION_KEY] = person.pk
                return redirect("backoffice:counter")
            request.session.pop(SESSION_KEY, None)
            not_found = True
    person = _person(request)
    return render(
        request,
        "backoffice/counter.html",
        {
            "form": form,
            "person": person,
            "not_found": not_found,
            "items": SSCARD.items,
            "cards": _cards(person) if person else [],
            "returned": _returned(person) if person else [],
            "receipts": _receipts(request),
        },
    )


def _receipts(request: AuthedHttpRequest) -> list[tuple[Application, list[ReceiptKind]]]:
    numbers = request.session.get(RECEIPTS_KEY, [])
    found = Application.objects.filter(receipt_number__in=numbers).select_related("subject")
    by_number = {a.receipt_number: a for a in found}
    return [
        (by_number[n], receipt_kinds(by_number[n])) for n in reversed(numbers) if n in by_number
    ]


@staff_view(roles.COUNTER)
@require_http_methods(["GET"])
def counter_receipt(request: AuthedHttpRequest, receipt: str, kind: str) -> HttpResponse:
    """The 受理回执 or 办结凭证 of an item done at the counter in this session, as the PDF the
    portal gives the citizen (the same QR code to its verification page)."""
    if receipt not in request.session.get(RECEIPTS_KEY, []):
        raise Http404
    application = (
        Application.objects.select_related("subject").filter(receipt_number=receipt).first()
    )
    if application is None:  # done here, but no longer there (a database restored since)
        raise Http404
    try:
        chosen = ReceiptKind(kind)
        data = receipt_pdf(application, chosen)
    except (ValueError, ReceiptNotReady) as error:
        raise Http404 from error
    except PdfFontMissing as missing:
        return HttpResponse(missing.message, status=503, content_type="text/plain; charset=utf-8")
    audit_record(
        actor=request.user, action="receipt.pdf", target=application, detail={"kind": str(chosen)}
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="sscard-{chosen}-{receipt}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _returned(person: Person) -> list[Application]:
    """Applications made at a counter and returned for correction: corrected here too."""
    return list(
        Application.objects.filter(
            subject=person, relation=Relation.COUNTER, status=AppStatus.RETURNED
        ).order_by("submitted_at")
    )


@staff_view(roles.COUNTER)
@require_http_methods(["GET", "POST"])
def counter_resubmit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """补正后重新提交 for an application made at a counter: the clock runs again."""
    person = _person(request)
    application = next((a for a in _returned(person) if a.pk == pk), None) if person else None
    if application is None:
        messages.error(request, "请先核验办事人的有效身份证件")
        return redirect("backoffice:counter")
    form = ResubmitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        photo = form.cleaned_data.get("photo")
        address = form.cleaned_data.get("address")
        try:
            services.application_resubmit(
                requester=_requester(request),
                application=application,
                data={"address": address} if address else {},
                files={"photo": photo} if photo else {},
            )
        except DomainError as exc:
            add_to_form(form, exc)
        else:
            return _done(request, application.receipt_number, "已补正后重新提交，办理时限继续计算")
    return render(
        request, "backoffice/counter_resubmit.html", {"application": application, "form": form}
    )


def _cards(person: Person, *, include_cancelled: bool = False) -> list[Card]:
    """The person's cards to choose from; cancelled (注销) ones only for 应用状态查询."""
    cards = Card.objects.filter(person=person)
    if not include_cancelled:
        cards = cards.exclude(status=CardStatus.CANCELLED)
    return list(cards.select_related("bank").order_by("-created_at"))


@staff_view(roles.COUNTER)
@require_http_methods(["GET", "POST"])
def counter_item(request: AuthedHttpRequest, item: str) -> HttpResponse:
    if item not in ItemCode.values:
        raise Http404
    person = _person(request)
    if person is None and item != ItemCode.APPLY:
        messages.error(request, "请先核验办事人的有效身份证件")
        return redirect("backoffice:counter")
    requester = _requester(request)
    cards = _cards(person) if person else []
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    context: dict[str, Any] = {"item": SSCARD.item(item), "person": person}
    form: forms.Form | None = None
    try:
        if item == ItemCode.APPLY:
            initial = {"nationality": "中国"}
            if person is not None:
                initial |= {
                    "doc_type": person.doc_type,
                    "name": person.name,
                    "gender": person.gender,
                    "ethnicity": person.ethnicity,
                    "nationality": person.nationality,
                }
            form = ApplyForm(data, files, initial=initial)
            if form.is_valid():
                values = {k: v for k, v in form.cleaned_data.items() if k != "photo"}
                if values.get("birth_date"):
                    values["birth_date"] = values["birth_date"].isoformat()
                else:
                    values.pop("birth_date", None)
                application = services.application_submit_apply(
                    requester=requester, data=values, files={"photo": form.cleaned_data["photo"]}
                )
                return _done(request, application.receipt_number, "社会保障卡申领已提交")
        elif item == ItemCode.ENABLE:
            form = EnableForm(data, cards=cards)
            if form.is_valid():
                app = services.item_enable(
                    requester=requester, card=form.chosen(), password=form.cleaned_data["password"]
                )
                return _done(request, app.receipt_number, "社保卡已启用")
        elif item == ItemCode.LOSS:
            form = LossForm(data, cards=cards)
            if form.is_valid():
                app = services.item_report_loss(
                    requester=requester,
                    card=form.chosen(),
                    action=form.cleaned_data["action"],
                    confirmed_irreversible=form.cleaned_data["confirm"],
                )
                return _done(request, app.receipt_number, "挂失与解挂已办结")
        elif item == ItemCode.REISSUE:
            form = ReissueForm(data, files, cards=cards)
            if form.is_valid():
                photo = form.cleaned_data.get("photo")
                app = services.application_submit_reissue(
                    requester=requester,
                    card=form.chosen(),
                    data={k: v for k, v in form.cleaned_data.items() if k != "photo"},
                    files={"photo": photo} if photo else {},
                )
                return _done(request, app.receipt_number, "补换卡申请已提交")
        elif item == ItemCode.CHANGE:
            assert person is not None  # noqa: S101 — checked above
            form = ChangeForm(data, initial={"postcode": person.postcode})
            if form.is_valid():
                changes = {k: v for k, v in form.cleaned_data.items() if v}
                app = services.item_change_contact(
                    requester=requester, person=person, changes=changes
                )
                return _done(request, app.receipt_number, "信息变更已办结")
        elif item == ItemCode.PROGRESS:
            assert person is not None  # noqa: S101
            context["progress"] = selectors.query_progress(requester=requester, subject=person)
            audit_record(actor=request.user, action="counter.progress_queried", target=person)
        elif item == ItemCode.STATUS:
            assert person is not None  # noqa: S101
            context["statuses"] = [
                selectors.query_card_status(requester=requester, card=card)
                for card in _cards(person, include_cancelled=True)
            ]
            audit_record(actor=request.user, action="counter.status_queried", target=person)
    except DomainError as exc:
        if form is None:
            context["refusal"] = exc.message
        else:
            add_to_form(form, exc)
    context["form"] = form
    # a form with its errors is the page itself (200): the browser treats it as any page
    return render(request, "backoffice/counter_item.html", context)


def _done(request: AuthedHttpRequest, receipt: str, what: str) -> HttpResponse:
    kept = [n for n in request.session.get(RECEIPTS_KEY, []) if n != receipt]
    request.session[RECEIPTS_KEY] = [*kept, receipt][-RECEIPTS_KEPT:]
    messages.success(
        request, f"{what}：受理编号 {receipt}（经办人：{request.user.get_username()}）"
    )
    return redirect("backoffice:counter")
