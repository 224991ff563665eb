"""Encryption at rest for personal data (reporters' names and contacts).

`EncryptedTextField` stores Fernet tokens (AES-128-CBC + HMAC-SHA256) and gives
back plain text in Python. Keys come from `settings.FIELD_ENCRYPTION_KEYS`
(newest first, so a key can be rotated: new writes use the first, reads try
all; `manage.py rotate_encryption_key`-style re-saves move old rows over).
Development derives a key from SECRET_KEY; production must set its own
(settings raise when it is missing).

The column holds no plain text, so a copy of the database alone does not
reveal who reported whom.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    keys = tuple(getattr(settings, "FIELD_ENCRYPTION_KEYS", ()) or ())
    if not keys:
        digest = hashlib.sha256(("congvu-field-key:" + settings.SECRET_KEY).encode()).digest()
        keys = (base64.urlsafe_b64encode(digest).decode(),)
    return _fernet(keys)


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a wrong or missing key must fail loudly, not show garbage
        raise ValueError("Cannot decrypt a field: check FIELD_ENCRYPTION_KEYS.") from exc


class EncryptedTextField(models.TextField):
    """Text encrypted in the database; "" stays "" (nothing to hide, and filterable)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
