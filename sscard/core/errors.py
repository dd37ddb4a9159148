"""The one error type every refusal raises: a user-facing Chinese message, optionally the
form field it belongs to, and a stable code for the API and tests. A refusal that a caller
acts on (a 404, a 429, a step-up page) is a subclass that fixes its code, so the caller
catches the class and never compares code strings; the subclasses shared by every app are
here, the others sit beside the rule that raises them."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    def __init__(
        self,
        message: str,
        *,
        code: str = "refused",
        field: str | None = None,
        errors: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        # every field's message when a whole form is refused at once
        self.errors = errors or ({field: message} if field else {})

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    """What the request names is not there (or not the requester's to see): a page shows 404."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="not_found")


class InvalidTransition(DomainError):
    """The record's status no longer allows the step, typically because someone else acted
    on it first."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="invalid_transition")


def refuse_if(
    message: str | None, *, code: str = "refused", error: type[DomainError] | None = None
) -> None:
    """Raise the refusal a rule function returned, if it returned one: an ``error`` subclass
    (which fixes its own code) when a caller acts on it, else a DomainError with ``code``."""
    if message:
        raise error(message) if error is not None else DomainError(message, code=code)


def add_to_form(form: Any, exc: DomainError) -> None:
    """Show a refusal on the form it answers: each message beside its field when the form has
    that field, else (no field of the form named) above the form."""
    placed = False
    for field, message in exc.errors.items():
        if field in form.fields:
            form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)
