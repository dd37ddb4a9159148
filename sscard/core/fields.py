"""Model fields that keep personal data encrypted in the database (see ``crypto``).

Values are encrypted on the way in and decrypted on the way out; the database never sees the
plaintext. They cannot be searched: exact lookups go through a keyed-hash column beside them.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from sscard.core import crypto


class _Bound:
    """Each column's ciphertexts are bound to that column (AES-GCM associated data): a value
    copied into another encrypted column does not decrypt there."""

    model: type[models.Model]
    name: str

    @property
    def context(self) -> bytes:
        return f"{self.model._meta.label_lower}.{self.name}".encode()


class EncryptedTextField(_Bound, models.TextField):
    description = "Text encrypted with AES-GCM"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None:
            return value
        return crypto.decrypt(value, context=self.context)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return crypto.encrypt(str(value), context=self.context)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise TypeError(f"encrypted field {self.name} cannot be searched with {lookup_name}")
        return super().get_lookup(lookup_name)


class EncryptedJSONField(_Bound, models.TextField):
    """A JSON document (form data holding personal details) stored encrypted as a whole."""

    description = "JSON encrypted with AES-GCM"
    # what django-stubs should take the attribute's type to be
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return json.loads(crypto.decrypt(value, context=self.context))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return crypto.encrypt(
            json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False), context=self.context
        )

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), cls=DjangoJSONEncoder, ensure_ascii=False)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise TypeError(f"encrypted field {self.name} cannot be searched with {lookup_name}")
        return super().get_lookup(lookup_name)
