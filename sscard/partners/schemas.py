"""The partner API's request and answer shapes (django-ninja schemas): what the OpenAPI
document at ``/partner/api/v1/openapi.json`` describes, and the input checks every write
passes before any work is done."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_validator

# No control characters (PostgreSQL refuses NUL; none belongs in these fields anyway).
TEXT = r"^[^\x00-\x1f\x7f]*$"
BATCH_NUMBER = r"^[A-Z0-9]{1,20}$"
MAX_ITEMS = 500


class Error(Schema):
    code: str
    message: str
    errors: dict[str, str] = {}


class BatchSummary(Schema):
    number: str
    bank_code: str
    bank_name: str
    status: Literal["sent", "acknowledged", "done"]
    status_label: str
    sent_at: datetime | None
    acknowledged_at: datetime | None
    order_count: int


class BatchOrder(Schema):
    order_id: int
    card_number: str
    stage: str
    stage_label: str
    attempt: int = Field(description="第几次发送制卡数据（制卡失败后重新发送时加1）")
    name: str
    doc_type: str
    doc_type_label: str
    doc_number: str
    gender: str
    birth_date: str
    ethnicity: str
    nationality: str
    phone: str
    address: str
    delivery: Literal["outlet", "mail"]
    outlet_code: str
    outlet_name: str
    mail_address: str


class BatchDetail(BatchSummary):
    orders: list[BatchOrder]


class StageEventIn(Schema):
    order_id: int = Field(ge=1, le=2**53)
    stage: Literal["producing", "city_bank", "outlet", "mailed", "delivered", "signed"] = Field(
        description=(
            "producing 制卡中；city_bank 市银行签收；outlet 网点签收；mailed 已寄出；"
            "delivered 已投递（快递柜、驿站等代收，未本人签收：超过地区设置的天数未确认即视为"
            "已领卡）；signed 已签收（收件人签收：已领卡）"
        )
    )
    occurred_at: datetime | None = Field(None, description="到达该环节的时间，缺省为收到时")
    place: str = Field("", max_length=100, pattern=TEXT)
    tracking_number: str = Field(
        "",
        max_length=40,
        pattern=TEXT,
        description="已寄出时必填；已投递、已签收时必填，且须与寄出时的快递单号一致",
    )

    @field_validator("occurred_at")
    @classmethod
    def _sane_time(cls, value: datetime | None) -> datetime | None:
        return _sane(value)


class EventsIn(Schema):
    events: list[StageEventIn] = Field(min_length=1, max_length=MAX_ITEMS)


class ResultIn(Schema):
    order_id: int = Field(ge=1, le=2**53)
    outcome: Literal["success", "failed"]
    card_number: str = Field("", max_length=9, pattern=r"^[A-Z0-9]*$")
    bank_account: str = Field("", max_length=32, pattern=r"^[0-9*]*$", description="可脱敏")
    reason: str = Field("", max_length=200, pattern=TEXT, description="制卡失败时必填")
    occurred_at: datetime | None = None

    @field_validator("occurred_at")
    @classmethod
    def _sane_time(cls, value: datetime | None) -> datetime | None:
        return _sane(value)


class ResultsIn(Schema):
    results: list[ResultIn] = Field(min_length=1, max_length=MAX_ITEMS)


class OutcomeOut(Schema):
    order_id: int
    stage: str
    changed: bool


class DeliveryOut(Schema):
    order_id: int
    batch_number: str
    tracking_number: str
    stage: Literal["mailed", "delivered"]
    stage_label: str
    mailed_at: datetime | None


class ReportsOut(Schema):
    batch: BatchSummary
    outcomes: list[OutcomeOut]


def _sane(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = timezone.make_aware(value)
    if not 2000 <= value.year <= 2999:
        raise ValueError("时间超出范围")
    return value


class EcardVerifyIn(Schema):
    token: str = Field(..., min_length=1, max_length=4096, description="电子社保卡二维码的内容")


class EcardVerification(Schema):
    outcome: str = Field(
        ...,
        description="valid 有效；expired 已过期；replayed 已核验过；card_not_usable 卡不可用；"
        "unknown_key 签名密钥未知；bad_signature 签名无效；unknown_card 卡不存在；"
        "malformed 无法识别",
    )
    valid: bool
    message: str
    masked_name: str = ""
    masked_number: str = ""
    card_status: str = ""
    photo_base64: str | None = Field(
        None, description="有效时：持卡人社保卡照片（JPEG或PNG，Base64），供核对本人"
    )
