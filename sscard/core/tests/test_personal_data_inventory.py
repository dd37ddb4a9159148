"""The inventory of personal data: every model field that holds a person's data is listed
here with what it is for and how it is kept, and the database agrees — a field added
without being listed, or listed as encrypted but stored in clear, fails this test."""

from __future__ import annotations

import re

from django.apps import apps

ENCRYPTED = "encrypted (AES-256-GCM)"
HASHED = "keyed hash (HMAC-SHA-256), for lookups only"
MASKED = "masked form only"
CLEAR = "in clear"
FILE = "a file under a generated name"

# "app.Model.field" → (what it holds and what for, how it is kept)
INVENTORY: dict[str, tuple[str, str]] = {
    "accounts.Person.doc_type": ("证件类型: which document identifies the holder", CLEAR),
    "accounts.Person.doc_number": ("证件号码: identity of the card holder", ENCRYPTED),
    "accounts.Person.name": ("姓名: printed on the card, searched by staff", CLEAR),
    "accounts.Person.gender": ("性别: printed on the card", CLEAR),
    "accounts.Person.ethnicity": ("民族: the card application's field", CLEAR),
    "accounts.Person.nationality": ("国籍: printed on the card", CLEAR),
    "accounts.Person.birth_date": ("出生日期: age rules (guardians, photos)", CLEAR),
    "accounts.Person.phone": ("手机号码: codes and notices to the holder", ENCRYPTED),
    "accounts.Person.phone_hash": ("finding a person by phone number", HASHED),
    "accounts.Person.address": ("通讯地址: the holder's contact address", ENCRYPTED),
    "accounts.Person.occupation": ("职业: the card application's field", CLEAR),
    "accounts.Employer.contact_name": ("经办人姓名: the employer's contact", CLEAR),
    "accounts.Employer.contact_phone": ("经办人电话: the employer's contact", ENCRYPTED),
    "accounts.Employer.license_file": ("营业执照: the employer's registration proof", FILE),
    "accounts.User.first_name": ("unused by sscard (Django's field, left empty)", CLEAR),
    "accounts.User.last_name": ("unused by sscard (Django's field, left empty)", CLEAR),
    "cards.Card.bank_account": ("银行账号 behind the card, as the bank reports it", ENCRYPTED),
    "applications.Application.form_data": ("what the applicant filled in", ENCRYPTED),
    "applications.Material.file": ("photos and document scans of an application", FILE),
    "applications.Material.photo_check": ("the photo check's measurements, no image", CLEAR),
    "production.ProductionOrder.mail_address": ("where a card is mailed", ENCRYPTED),
    "notifications.Message.address": ("the phone or openid a message goes to", ENCRYPTED),
    "notifications.Message.address_masked": ("the same, for the delivery screens", MASKED),
    "sms.SimulatedSms.phone": ("the demo's 短信收件箱 (never in production)", ENCRYPTED),
    "sms.SimulatedSms.phone_hash": ("the demo's inbox lookup", HASHED),
    "verification.Challenge.phone": ("where a one-time code was sent", ENCRYPTED),
    "verification.Challenge.phone_hash": ("sending limits per phone", HASHED),
    "verification.Challenge.payload": ("what the code confirms (a registration)", ENCRYPTED),
    "identity.ExternalIdentity.subject": ("the face-login provider's id of the person", CLEAR),
    "identity.SimulatorGrant.claims": ("the simulated provider's claims (demo only)", ENCRYPTED),
    "portal.Draft.data": ("an unfinished application's entries (purged after a week)", ENCRYPTED),
    "portal.Draft.files": ("the stored names of a draft's uploads", CLEAR),
    "wechat.WeChatBinding.openid": ("the WeChat user bound to an account", ENCRYPTED),
    "wechat.WeChatBinding.openid_hash": ("finding the account of a WeChat user", HASHED),
    "wechat.WeChatBinding.nickname": ("WeChat nickname shown in 个人中心", CLEAR),
    "employers.Batch.workbook_file": ("the employer's uploaded workbook", FILE),
    "employers.Batch.photos_file": ("the employer's uploaded photo archive", FILE),
    "employers.BatchRow.values": ("a workbook row as typed", ENCRYPTED),
    "employers.BatchRow.data": ("a workbook row as checked", ENCRYPTED),
    "employers.BatchRow.masked_name": ("the employee's name for the preview", MASKED),
    "employers.BatchRow.masked_doc": ("the employee's ID number for the preview", MASKED),
    "employers.BatchRow.photo_file": ("the employee's photo from the archive", FILE),
    "employers.BatchRow.photo_check": ("the photo check's measurements, no image", CLEAR),
}
# Fields whose names look personal but hold nobody's data.
NOT_PERSONAL = {
    "audit.AuditRecord.address",  # the client's network address of an audited request
    "regions.RegionSettings.region_name",
    "regions.RegionSettings.excluded_doc_types",
    "regions.RegionSettings.photo_exempt_age",
    "regions.RegionSettings.photo_min_kb",
    "regions.RegionSettings.photo_max_kb",
    "regions.Bank.name",
    "regions.Outlet.name",
    "regions.Outlet.address",
    "regions.Outlet.phone",
    "regions.HolidayOverride.name",
    "accounts.Employer.name",  # a company's registered name
    "accounts.Employer.license_content_type",
    "partners.Partner.name",
    "partners.Partner.secret",  # a credential (encrypted), not personal data
    "production.ResultImport.file_name",
    "employers.Batch.file_hash",
    "employers.BatchRow.photo_fixed",
    "employers.Batch.files_removed_at",  # when the keeping period deleted the files
}
LOOKS_PERSONAL = re.compile(
    r"(^|_)(name|doc|phone|address|birth|gender|ethnicity|nationality|id_number|mail|bank|"
    r"account|openid|photo|file|files|licen[cs]e|selfie|face|claims|subject|values|data|"
    r"payload|contact|occupation|nickname)(_|$)"
)


def _fields() -> dict[str, object]:
    found = {}
    for model in apps.get_models():
        if not model.__module__.startswith("sscard."):
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation:
                continue  # a link to a person is the person's row, listed there
            encrypted = type(field).__name__.startswith("Encrypted")
            if encrypted or LOOKS_PERSONAL.search(field.name):
                found[f"{model._meta.label}.{field.name}"] = field
    return found


def test_every_field_holding_personal_data_is_in_the_inventory():
    fields = _fields()
    unlisted = sorted(set(fields) - set(INVENTORY) - NOT_PERSONAL)
    assert unlisted == []  # a new field of personal data is listed above, with its purpose
    gone = sorted((set(INVENTORY) | NOT_PERSONAL) - set(fields))
    assert gone == []


def test_the_inventory_says_how_each_field_is_kept_and_the_database_agrees():
    fields = _fields()
    for name, (_purpose, kept) in INVENTORY.items():
        encrypted = type(fields[name]).__name__.startswith("Encrypted")
        assert encrypted == (kept == ENCRYPTED), name
        if kept == FILE:
            assert type(fields[name]).__name__ in {"FileField", "CharField"}, name
    # the identifying and contact data is never kept in clear
    for name in ("doc_number", "phone", "address"):
        assert INVENTORY[f"accounts.Person.{name}"][1] == ENCRYPTED
