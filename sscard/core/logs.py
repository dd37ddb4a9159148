"""Log records leave the process with personal data masked: an ID or phone number in a
requested path ("Not Found: /…/4452…"), a form value in an exception message or traceback;
and one record is one line: a line break or other control character that came in with the
request (a path, a typed name) is written escaped, so it cannot forge a line of its own.

Events with fields (one per request, one per task: :mod:`sscard.core.middleware`,
:mod:`sscard.core.tasks`) are logged through structlog into the same handler. The handler
writes either format (``SSCARD_LOG_FORMAT``): ``json``, one JSON object a line with the
timestamp, level, logger, event and fields (production); or ``plain``, the human line
``time LEVEL logger message`` with an event's fields as ``key=value`` (the demo, the suite).
Whatever the request bound with structlog's context variables (its ``request_id``) rides along
on every record written meanwhile."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, MutableMapping
from typing import Any, TypeVar

import structlog

from sscard.core.errorpages import REQUEST_ID_KEY
from sscard.core.masking import mask_text

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

# C0 controls, DEL, NEL and the Unicode line and paragraph separators
_CONTROL = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def escape_controls(text: str) -> str:
    """Each control character as its Python escape (a line break as backslash-n); the rest,
    Chinese included, unchanged."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


V = TypeVar("V")


def mask_value(value: V, *, escape: bool = True) -> V:
    """A structlog event's value with every text in it masked (and its controls escaped)."""
    if isinstance(value, str):
        masked = mask_text(value)
        return escape_controls(masked) if escape else masked  # type: ignore[return-value]
    if isinstance(value, dict):
        return {k: mask_value(v, escape=escape) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list | tuple):
        return type(value)(mask_value(v, escape=escape) for v in value)  # type: ignore[return-value]
    return value


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict):  # a structlog event on its way to the formatter
            record.msg = mask_value(record.msg)
            return True
        message = record.getMessage()
        masked = escape_controls(mask_text(message))
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


EventDict = MutableMapping[str, Any]


# what the formatter adds after the filter has masked the rest: a traceback rendered from
# ``exc_info``, a stack
_RENDERED = ("exception", "stack")


def _mask_rendered(_logger: Any, _method: str, event: EventDict) -> EventDict:
    """Masks the traceback or stack rendered for the line (its line breaks kept: JSON escapes
    them)."""
    for key in _RENDERED:
        if key in event:
            event[key] = mask_value(event[key], escape=False)
    return event


def _plain_line(_logger: Any, _method: str, event: EventDict) -> str:
    """A structlog event as ``event key=value …`` (fields without a value left out); another
    library's record as its message, which the plain format then prefixes as it always has."""
    from_structlog = event.pop("_from_structlog", False)
    event.pop("_record", None)
    text = str(event.pop("event", ""))
    if not from_structlog:
        return text
    fields = " ".join(f"{k}={v}" for k, v in event.items() if v is not None and k != "exc_info")
    return f"{text} {fields}" if fields else text


def plain_formatter() -> logging.Formatter:
    return structlog.stdlib.ProcessorFormatter(
        fmt=PLAIN_FORMAT,
        processors=[_plain_line],
        # another library's traceback is appended by logging itself, masked by the filter
        keep_exc_info=True,
        keep_stack_info=True,
    )


def _request_id_of_record(_logger: Any, _method: str, event: EventDict) -> EventDict:
    """Django's own lines about a request ("Not Found: …", a 500's traceback) are written once
    the request's context has ended; they carry the request, and so its id."""
    request = getattr(event.get("_record"), "request", None)
    request_id = getattr(request, "META", {}).get(REQUEST_ID_KEY)
    if request_id:
        event.setdefault("request_id", request_id)
    return event


def json_formatter() -> logging.Formatter:
    """One JSON object a line; non-ASCII characters escaped, so no character a line splitter
    honours (U+2028 included) can ever break a record in two."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.contextvars.merge_contextvars, _request_id_of_record],
        processors=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _mask_rendered,
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(sort_keys=False),
        ],
    )


def configure_structlog() -> None:
    """structlog hands its events to the standard logging set up in ``LOGGING``: same
    handlers, filters and levels as every other record."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,  # first: an event below the level costs nothing more
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def quiet_log(view: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a view whose requests are logged at DEBUG rather than INFO: the health probes
    and the metrics scrape, which come every few seconds and tell nothing when they succeed."""
    view.quiet_log = True  # type: ignore[attr-defined]
    return view
