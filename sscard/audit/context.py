"""Where the current action comes from (address, request id), set once per request by the
middleware and read by the audit writer; outside a request the source is the system."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    address: str = ""
    request_id: str = ""
    channel: str = "system"


# Source is frozen, so sharing one default instance is safe.
current_source: ContextVar[Source] = ContextVar(
    "sscard_audit_source",
    default=Source(),  # noqa: B039
)
