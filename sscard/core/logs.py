"""Log records leave the process with personal data masked: an ID or phone number in a
requested path ("Not Found: /…/4452…"), a form value in an exception message or traceback;
and one record is one line: a line break or other control character that came in with the
request (a path, a typed name) is written escaped, so it cannot forge a line of its own."""

from __future__ import annotations

import logging
import re

from sscard.core.masking import mask_text

# C0 controls, DEL, NEL and the Unicode line and paragraph separators
_CONTROL = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def escape_controls(text: str) -> str:
    """Each control character as its Python escape (a line break as backslash-n); the rest,
    Chinese included, unchanged."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
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
