"""Protected personal data: encrypted at rest, masked by default, revealed only on purpose.

A `ProtectedField` stores Fernet ciphertext. Reading the model attribute gives a `ProtectedValue`
whose text form is the masked value, so templates, exports and the API show the mask unless code
deliberately calls `.plaintext()`; the access layer does that only after a permission check and an
audited reason. Exact lookup goes through a keyed hash (`blind_index`) kept in a sibling column.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from django.db.models.query_utils import DeferredAttribute


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def cipher() -> MultiFernet:
    return _fernet(tuple(settings.DATA_KEYS))


def encrypt(plaintext: str) -> str:
    return cipher().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return cipher().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise ValueError("protected value cannot be decrypted with the configured data keys") from None


def rotate(ciphertext: str) -> str:
    """Re-encrypt with the newest key (MultiFernet keeps the original timestamp)."""
    return cipher().rotate(ciphertext.encode()).decode()


def is_current(ciphertext: str) -> bool:
    """True when the newest data key alone decrypts `ciphertext` (nothing left to rotate)."""
    try:
        Fernet(settings.DATA_KEYS[0]).decrypt(ciphertext.encode())
    except InvalidToken:
        return False
    return True


def _is_token(value: str) -> bool:
    try:
        cipher().decrypt(value.encode())
    except (InvalidToken, ValueError):
        return False
    return True


def blind_index(kind: str, value: str) -> str:
    """Keyed hash for exact lookup; the kind keeps equal strings of different kinds apart."""
    key = settings.HASH_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def mask(kind: str, plaintext: str) -> str:
    if not plaintext:
        return ""
    if kind == "id_number" and len(plaintext) >= 8:
        return plaintext[:3] + "*" * (len(plaintext) - 7) + plaintext[-4:]
    if kind == "phone" and len(plaintext) >= 8:  # a 7-digit number would show in full
        return plaintext[:3] + "*" * (len(plaintext) - 7) + plaintext[-4:]
    return "*" * len(plaintext)


class ProtectedValue:
    __slots__ = ("kind", "ciphertext", "_plain")

    def __init__(self, kind: str, ciphertext: str, plain: str | None = None):
        self.kind = kind
        self.ciphertext = ciphertext
        self._plain = plain

    def plaintext(self) -> str:
        """Only the access layer's reveal and the services that validate input may call this."""
        if self._plain is None:
            self._plain = decrypt(self.ciphertext) if self.ciphertext else ""
        return self._plain

    @property
    def masked(self) -> str:
        return mask(self.kind, self.plaintext())

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"<ProtectedValue {self.kind} {self.masked}>"

    def __bool__(self) -> bool:
        return bool(self.ciphertext)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ProtectedValue):
            return self.plaintext() == other.plaintext()
        return NotImplemented

    def __hash__(self) -> int:
        # Consistent with __eq__ (plaintext); Fernet ciphertexts of one value differ on each encryption.
        return hash((self.kind, self.plaintext()))


class _ProtectedDescriptor(DeferredAttribute):
    """Wraps an assigned str at once, so even an unsaved object never exposes plaintext by accident."""

    def __set__(self, instance, value):
        if value is None:
            value = ""
        if isinstance(value, str):
            value = ProtectedValue(self.field.kind, encrypt(value) if value else "", value)
        instance.__dict__[self.field.attname] = value


class ProtectedField(models.TextField):
    """Holds ciphertext in the database. Assign plaintext (a str) or a ProtectedValue."""

    descriptor_class = _ProtectedDescriptor

    def __init__(self, *args, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None:
            return ProtectedValue(self.kind, "")
        return ProtectedValue(self.kind, value)

    def to_python(self, value):
        if isinstance(value, ProtectedValue) or value is None:
            return value
        if not value:
            return ProtectedValue(self.kind, "")
        if _is_token(value):
            # Deserialising (loaddata) hands back the ciphertext that value_to_string wrote.
            return ProtectedValue(self.kind, value)
        return ProtectedValue(self.kind, encrypt(value), value)

    def get_prep_value(self, value):
        if value is None or value == "":
            return ""
        if isinstance(value, ProtectedValue):
            return value.ciphertext
        return encrypt(str(value))

    def value_to_string(self, obj):
        # Serialisation (dumpdata) carries ciphertext, never plaintext.
        value = self.value_from_object(obj)
        return value.ciphertext if isinstance(value, ProtectedValue) else ""
