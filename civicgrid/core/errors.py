"""The one application error type. Services raise it; views and the API turn it into a message."""

from __future__ import annotations


class ApplicationError(Exception):
    """A refusal the user can act on: a clear message, optionally naming the field at fault."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str = "invalid",
        extra: dict | None = None,
        status: int = 400,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.extra = extra or {}
        self.status = status  # the HTTP status of an API answer: 400 unless the refusal is of a kind

    def as_dict(self) -> dict:
        return {"code": self.code, "message": str(self.message), "field": self.field, **self.extra}
