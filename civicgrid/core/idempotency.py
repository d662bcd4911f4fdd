"""What an idempotency key stands for: the request it was first sent with.

A client retries with the same key when it did not hear the answer, and gets the first answer
again. The same key sent with a different request is a client's mistake (a key reused by a counter
that restarted, say); answering it with the first request's result would silently drop the second
request. So the service keeps a fingerprint of the first request beside the key and refuses a
repeat whose fingerprint differs with 422, as the IETF draft "The Idempotency-Key HTTP Header
Field" (draft-ietf-httpapi-idempotency-key-header) advises.
"""

from __future__ import annotations

import hashlib
import json

from django.utils.translation import gettext as _

from civicgrid.core.errors import ApplicationError


def fingerprint(request: dict) -> str:
    """A digest of what a request asks for, the same for the same fields in any order."""
    canonical = json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_repeat(stored: str, sent: str) -> None:
    """Refuse a repeated key whose request differs from the one it was first sent with."""
    if stored and sent and stored != sent:
        raise ApplicationError(
            _("This Idempotency-Key was already used for a different request; send a new key."),
            field="idempotency_key",
            code="idempotency_key_reused",
            status=422,
        )
