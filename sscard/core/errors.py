"""The one error type every refusal raises: a user-facing Chinese message, optionally the
form field it belongs to, and a stable code for the API and tests."""

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


def refuse_if(message: str | None, *, code: str) -> None:
    """Raise the refusal a rule function returned, if it returned one."""
    if message:
        raise DomainError(message, code=code)


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
