"""The partner HTTP API (django-ninja), mounted at ``/partner/api/v1/``.

A bank's or card factory's system pulls its open batches, acknowledges one, and pushes stage
events and production results. Every request is signed (:mod:`sscard.partners.signing`);
every write carries an ``Idempotency-Key``; a partner only ever sees the batches of its own
bank (another bank's batch is 404, as if it did not exist). The OpenAPI document is served at
``/partner/api/v1/openapi.json``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Path
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.responses import NinjaJSONEncoder, Status
from ninja.security import APIKeyHeader

from sscard.applications.models import Material
from sscard.audit.services import audit_record
from sscard.core.documents import DocType, Gender
from sscard.core.errors import DomainError
from sscard.ecard.services import ecard_verify
from sscard.partners import signing
from sscard.partners.models import Partner
from sscard.partners.schemas import (
    BATCH_NUMBER,
    BatchDetail,
    BatchSummary,
    DeliveryOut,
    EcardVerification,
    EcardVerifyIn,
    Error,
    EventsIn,
    ReportsOut,
    ResultsIn,
)
from sscard.partners.services import (
    IdempotencyConflict,
    PartnerAuthError,
    Replay,
    idempotency_begin,
    idempotency_finish,
    partner_authenticate,
)
from sscard.production.constants import Delivery, Stage
from sscard.production.models import Batch
from sscard.production.reports import (
    Report,
    ReportKind,
    ReportNotAllowed,
    ReportsRejected,
    batch_apply_reports,
)
from sscard.production.retention import BatchDownloadClosed, batch_download_ensure_open
from sscard.production.selectors import (
    batch_for_bank,
    batch_orders,
    batches_open_for_bank,
    orders_in_delivery,
)
from sscard.production.services import batch_acknowledge

# The API's words for the stages: the courier's signed-for event (已签收) makes a mailed card
# 已领卡; the others are the stages' own codes.
SIGNED = "signed"
STAGE_OF_EVENT = {SIGNED: Stage.COLLECTED}


class PartnerSignature(APIKeyHeader):
    """HMAC-SHA256 request signature: ``X-Partner-Key`` names the partner; ``X-Timestamp``,
    ``X-Nonce`` and ``X-Signature`` complete it (see the API description)."""

    param_name = signing.KEY_HEADER

    def __call__(self, request: HttpRequest) -> Partner:
        return partner_authenticate(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover
        return None  # __call__ does the whole check


DESCRIPTION = """
合作银行、制卡厂系统接口。每个请求须签名：

    string_to_sign = METHOD \\n PATH(含查询串) \\n X-Timestamp \\n X-Nonce \\n hex(SHA-256(body))
    X-Signature = hex(HMAC-SHA256(secret, string_to_sign))

X-Timestamp 为 Unix 秒，与服务器时间相差不得超过5分钟；X-Nonce 为16–64位
`A-Z a-z 0-9 _ -`，同一合作方不得重复使用。写操作须带 Idempotency-Key（24小时内有效）：
同一 Key 同一请求体返回首次结果；同一 Key 不同请求体返回 422；首次请求处理中返回 409。
"""

api = NinjaAPI(
    title="社会保障卡制卡合作方接口",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="partner_api",
    docs_url=None,
    auth=PartnerSignature(),
)


# ---------------------------------------------------------------------------------------------
# Errors: one JSON shape for every refusal


def _error(request: HttpRequest, status: int, code: str, message: str, errors: Any = None) -> Any:
    body = {"code": code, "message": message, "errors": errors or {}}
    return api.create_response(request, body, status=status)


@api.exception_handler(PartnerAuthError)
def _auth_failed(request: HttpRequest, exc: PartnerAuthError) -> HttpResponse:
    return _error(request, 401, exc.code, exc.message)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "请求未签名")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = {
        ".".join(str(p) for p in e.get("loc", ())): str(e.get("msg", ""))[:200] for e in exc.errors
    }
    return _error(request, 422, "invalid", "请求内容不正确", errors)


@api.exception_handler(IdempotencyConflict)
def _idempotency(request: HttpRequest, exc: IdempotencyConflict) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "error", str(exc))


READ = {200: BatchSummary, 401: Error, 404: Error, 422: Error}
WRITE = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
IDEMPOTENCY_PARAMETER = {
    "parameters": [
        {
            "in": "header",
            "name": signing.IDEMPOTENCY_HEADER,
            "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": 100},
            "description": "每个写请求唯一；重试时使用同一值",
        }
    ]
}


# ---------------------------------------------------------------------------------------------
# Operations


def _partner(request: HttpRequest) -> Partner:
    """The partner PartnerSignature let in (ninja keeps it as ``request.auth``)."""
    partner = getattr(request, "auth", None)
    if not isinstance(partner, Partner):  # pragma: no cover — every operation is authenticated
        raise AuthenticationError
    return partner


def _batch(request: HttpRequest, number: str) -> Batch:
    batch = batch_for_bank(_partner(request).bank_id, number)
    if batch is None:
        raise HttpError(404, "批次不存在")
    return batch


def _summary(batch: Batch) -> dict[str, Any]:
    return {
        "number": batch.number,
        "bank_code": batch.bank.code,
        "bank_name": batch.bank.name,
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "sent_at": batch.sent_at,
        "acknowledged_at": batch.acknowledged_at,
        "order_count": getattr(batch, "order_count", None) or batch.orders.count(),
    }


# A write is one transaction from its signature's check to its answer (the operation's
# decorator): the nonce it spends, its Idempotency-Key, the change, the outbox rows and the
# delivery task, and the answer kept for a retry commit together or not at all. A refusal
# (401, 409, 422…) is an answer and commits the nonce and its audit row; a failure on our side
# rolls everything back, nonce too: sent again, the request is done once, as a retry would be.
one_transaction = decorate_view(transaction.atomic)


def _idempotent(request: HttpRequest, work: Callable[[], dict[str, Any]]) -> Status[Any]:
    """Run a write once per Idempotency-Key; a retry gets the first answer again, a copy sent
    while the first is still running hears 409. The answer is kept in the write's own
    transaction, so no change is ever kept without the answer a retry will get."""
    claim = idempotency_begin(request, _partner(request))
    if isinstance(claim, Replay):
        return Status(claim.status, claim.body)
    status, body = _answer(work)
    kept = _jsonable(body)
    idempotency_finish(claim, status, kept)
    # the first answer is the kept one too: rendered from the stored JSON, a retry's answer is
    # the same to the byte (a time with under a millisecond of fraction would otherwise render
    # as "…07.000Z" first and "…07Z" on the retry)
    return Status(status, kept)


def _answer(work: Callable[[], dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """The write's answer: 200 with its result, or the refusal (every write is an atomic
    service, so a refused one has undone itself)."""
    try:
        return 200, work()
    except ReportNotAllowed as refused:
        return 403, {"code": "error", "message": refused.message, "errors": {}}
    except ReportsRejected as rejected:
        return 422, {"code": rejected.code, "message": rejected.message, "errors": rejected.errors}
    except DomainError as error:
        return 409, {"code": error.code, "message": error.message, "errors": error.errors}
    except HttpError as error:
        return error.status_code, {"code": "error", "message": str(error), "errors": {}}


def _jsonable(body: dict[str, Any]) -> dict[str, Any]:
    """The answer as stored for a retry: what the JSON response carries."""
    return json.loads(json.dumps(body, cls=NinjaJSONEncoder))


@api.get("/batches", response={200: list[BatchSummary], 401: Error, 422: Error}, tags=["batches"])
def list_batches(request: HttpRequest) -> list[dict[str, Any]]:
    """本合作银行待处理的批次（已发送、已接收）。"""
    return [_summary(b) for b in batches_open_for_bank(_partner(request).bank_id)]


@api.get(
    "/deliveries",
    response={200: list[DeliveryOut], 401: Error, 422: Error},
    tags=["reports"],
)
def list_deliveries(request: HttpRequest) -> list[dict[str, Any]]:
    """本合作银行已寄出、尚未签收的社保卡（已寄出、已投递），按寄出时间先后；快递签收后以
    “已签收”（signed）报告到订单所在批次的 events。制卡厂无快递信息，列表为空。"""
    partner = _partner(request)
    if partner.kind != Partner.Kind.BANK:
        return []
    return [
        {
            "order_id": o.pk,
            "batch_number": o.batch.number if o.batch else "",
            "tracking_number": o.tracking_number,
            "stage": o.stage,
            "stage_label": o.get_stage_display(),
            "mailed_at": getattr(o, "mailed_at", None),  # annotated by the selector
        }
        for o in orders_in_delivery(partner.bank_id)
    ]


@api.get(
    "/batches/{number}",
    response={200: BatchDetail, 401: Error, 404: Error, 410: Error, 422: Error},
    tags=["batches"],
)
def get_batch(request: HttpRequest, number: str = Path(..., pattern=BATCH_NUMBER)) -> Any:
    """批次明细，含制卡所需的个人信息（每次下载均记录审计日志）。批次完成超过地区设置的天数
    （默认30天）后不再提供：410，拒绝也记录审计日志。"""
    batch = _batch(request, number)
    partner = _partner(request)
    try:
        batch_download_ensure_open(
            batch=batch, actor=None, via="api", detail={"by": partner.key_id}
        )
    except BatchDownloadClosed as closed:
        return _error(request, 410, closed.code, closed.message)
    orders = batch_orders(batch).annotate(
        attempts=Count("events", filter=Q(events__stage=Stage.DATA_SENT))
    )
    doc_types, genders = dict(DocType.choices), dict(Gender.choices)
    rows = [
        {
            "order_id": o.pk,
            "card_number": o.card.number,
            "stage": o.stage,
            "stage_label": o.get_stage_display(),
            "attempt": o.attempts,
            "name": o.person.name,
            "doc_type": o.person.doc_type,
            "doc_type_label": str(doc_types.get(o.person.doc_type, "")),
            "doc_number": o.person.doc_number,
            "gender": str(genders.get(o.person.gender, o.person.gender)),
            "birth_date": o.person.birth_date.isoformat(),
            "ethnicity": o.person.ethnicity,
            "nationality": o.person.nationality,
            "phone": o.person.phone,
            "address": o.person.address,
            "delivery": o.delivery,
            "outlet_code": o.outlet.code if o.outlet else "",
            "outlet_name": o.outlet.name if o.outlet else "",
            "mail_address": o.mail_address if o.delivery == Delivery.MAIL else "",
        }
        for o in orders
    ]
    audit_record(
        actor=None,
        action="partner.batch_downloaded",
        target=batch,
        detail={"batch": batch.number, "orders": len(rows), "by": partner.key_id},
    )
    return {**_summary(batch), "orders": rows}


@api.post(
    "/batches/{number}/ack",
    response={200: BatchSummary, **WRITE},
    tags=["batches"],
    openapi_extra=IDEMPOTENCY_PARAMETER,
)
@one_transaction
def acknowledge_batch(
    request: HttpRequest, number: str = Path(..., pattern=BATCH_NUMBER)
) -> Status[Any]:
    """确认接收批次。"""

    def work() -> dict[str, Any]:
        batch = _batch(request, number)
        return _summary(batch_acknowledge(batch=batch, by=_partner(request).label))

    return _idempotent(request, work)


def _apply(request: HttpRequest, number: str, reports: list[tuple[str, Report]]) -> dict[str, Any]:
    batch, partner = _batch(request, number), _partner(request)
    outcomes = batch_apply_reports(
        batch=batch, reports=reports, by=partner.label, reporter=partner.kind
    )
    # the status as this write leaves it: closed (已完成) when its order was the batch's last
    batch.refresh_from_db(fields=["status"])
    return {
        "batch": _summary(batch),
        "outcomes": [
            {"order_id": o.order_id, "stage": o.stage, "changed": o.changed} for o in outcomes
        ],
    }


@api.post(
    "/batches/{number}/events",
    response={200: ReportsOut, **WRITE},
    tags=["reports"],
    openapi_extra=IDEMPOTENCY_PARAMETER,
)
@one_transaction
def push_events(
    request: HttpRequest, payload: EventsIn, number: str = Path(..., pattern=BATCH_NUMBER)
) -> Status[Any]:
    """报告制卡进度：制卡中、市银行签收、网点签收、已寄出，以及邮寄的快递状态：已投递、
    已签收（全部成功或全部不生效）。重复或迟到的报告不会使订单倒退。"""

    def work() -> dict[str, Any]:
        stages = [STAGE_OF_EVENT.get(e.stage, e.stage) for e in payload.events]
        reports = [
            (
                f"events.{i}",
                Report(
                    order_id=e.order_id,
                    kind=ReportKind.STAGE,
                    stage=stage,
                    at=e.occurred_at,
                    place=e.place,
                    tracking_number=e.tracking_number,
                ),
            )
            for i, (e, stage) in enumerate(zip(payload.events, stages, strict=True))
        ]
        return _apply(request, number, reports)

    return _idempotent(request, work)


@api.post(
    "/batches/{number}/results",
    response={200: ReportsOut, **WRITE},
    tags=["reports"],
    openapi_extra=IDEMPOTENCY_PARAMETER,
)
@one_transaction
def push_results(
    request: HttpRequest, payload: ResultsIn, number: str = Path(..., pattern=BATCH_NUMBER)
) -> Status[Any]:
    """报告制卡结果：成功（卡号、银行账号）或制卡失败（原因）。制卡失败的订单退回制卡管理员，
    由其在新批次中重新发送。"""

    def work() -> dict[str, Any]:
        reports = [
            (
                f"results.{i}",
                Report(
                    order_id=r.order_id,
                    kind=ReportKind.SUCCESS if r.outcome == "success" else ReportKind.FAILURE,
                    at=r.occurred_at,
                    card_number=r.card_number,
                    bank_account=r.bank_account,
                    reason=r.reason,
                ),
            )
            for i, r in enumerate(payload.results)
        ]
        return _apply(request, number, reports)

    return _idempotent(request, work)


# ---------------------------------------------------------------------------------------------
# 电子社保卡: a bank's counter verifies the code a holder shows


def _photo_base64(photo_id: int | None) -> str | None:
    if photo_id is None:
        return None
    material = Material.objects.filter(pk=photo_id, removed_at__isnull=True).first()
    if material is None or not material.file:
        return None
    try:
        with material.file.open("rb") as handle:
            return base64.b64encode(handle.read()).decode()
    except OSError:
        return None


@api.post(
    "/ecard/verify",
    response={200: EcardVerification, 400: Error, 401: Error, 422: Error},
    tags=["ecard"],
)
def ecard_verify_code(request: HttpRequest, body: EcardVerifyIn) -> dict[str, Any]:
    """核验持卡人出示的电子社保卡二维码。同一二维码60秒内有效，每个合作方只能核验一次
    （再次提交答 replayed）。有效时返回脱敏姓名、卡号和持卡人照片，供柜面核对本人。
    也可用公开的 JWKS（/.well-known/jwks.json）离线验证签名与有效期。"""
    partner = _partner(request)
    answer = ecard_verify(token=body.token, verifier=f"partner:{partner.pk}", actor=None)
    photo = _photo_base64(answer.photo_id) if answer.valid else None
    return {
        "outcome": str(answer.outcome),
        "valid": answer.valid,
        "message": answer.message,
        "masked_name": answer.masked_name,
        "masked_number": answer.masked_number,
        "card_status": answer.card_status,
        "photo_base64": photo,
    }
