"""Shapes shared by every module's API router: the one error body and the documented error statuses."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


def errors(*statuses: int) -> dict:
    """The documented error responses of an endpoint, in the one error shape."""
    base = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
    return {s: ErrorOut for s in statuses} | base
