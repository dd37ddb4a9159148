"""A person's record details an item page prefills: shown in full only when the login may see
them (Action.REVEAL_OWN, L3+ by default); else the field is left empty with the masked value
as its placeholder, and a field left empty (or sent back masked) keeps the record's value — a
mask is never written over the record."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sscard.accounts.models import Person
from sscard.accounts.trust import Action, Requester, trust_allows
from sscard.core.masking import mask_address, mask_name, mask_phone

RECORD_FIELDS: dict[str, Callable[[str], str]] = {
    "name": mask_name,
    "phone": mask_phone,
    "address": mask_address,
    "mail_address": mask_address,
}


def may_reveal(requester: Requester) -> bool:
    """Whether the page may show the person's own details in full (Action.REVEAL_OWN)."""
    return trust_allows(Action.REVEAL_OWN, requester)


def masked_view(
    current: Mapping[str, str], fields: tuple[str, ...], *, reveal: bool
) -> dict[str, Any]:
    """For a page prefilled with ``current`` details: each value as it may be shown (in full
    or masked), the placeholders that say it, and whether the page is masked."""
    shown = {
        key: (current.get(key) or "") if reveal else RECORD_FIELDS[key](current.get(key) or "")
        for key in fields
    }
    return {
        "masked": not reveal and any(shown.values()),
        "current": shown,
        "placeholders": {
            key: f"当前：{value}，不修改请留空" for key, value in shown.items() if value
        },
    }


def record_of(person: Person, fields: tuple[str, ...]) -> dict[str, str]:
    return {key: getattr(person, key) or "" for key in fields}


def record_view(
    requester: Requester, person: Person | None, fields: tuple[str, ...]
) -> dict[str, Any]:
    """:func:`masked_view` of the person's record (nothing to mask for a person not on
    record)."""
    if person is None:
        return {"masked": False, "current": {}, "placeholders": {}}
    return masked_view(record_of(person, fields), fields, reveal=may_reveal(requester))


def hide_current_values(
    current: Mapping[str, str], values: dict[str, Any], fields: tuple[str, ...]
) -> dict[str, Any]:
    """``values`` to prefill a page with, each of ``fields`` that still holds its current
    value left empty (the page shows that value masked, as the placeholder)."""
    hidden = dict(values)
    for key in fields:
        if key in hidden and current.get(key) and hidden[key] == current[key]:
            hidden[key] = ""
    return hidden


def hide_record_values(
    requester: Requester, person: Person | None, values: dict[str, Any], fields: tuple[str, ...]
) -> dict[str, Any]:
    """``values`` to prefill a page with: a record value the login may not see is left out."""
    if person is None or may_reveal(requester):
        return values
    return hide_current_values(record_of(person, fields), values, fields)


def keep_current_values(
    current: Mapping[str, str], posted: Mapping[str, Any], fields: tuple[str, ...]
) -> dict[str, str]:
    """The posted entries, with each of ``fields`` left empty — or sent back as the mask the
    page showed — replaced by its current value: a mask is never written over a record."""
    data = {key: str(value) for key, value in posted.items()}
    for key in fields:
        recorded = current.get(key) or ""
        given = data.get(key, "").strip()
        if recorded and (not given or given == RECORD_FIELDS[key](recorded)):
            data[key] = recorded
    return data


def keep_record_values(
    person: Person | None, posted: Mapping[str, Any], fields: tuple[str, ...]
) -> dict[str, str]:
    """:func:`keep_current_values` against the person's record."""
    current = record_of(person, fields) if person is not None else {}
    return keep_current_values(current, posted, fields)
