"""Writing to the audit log. Every service in every module calls `audit_record` inside its transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from civicgrid.audit.models import AuditEvent, DataAccess


def _describe(obj: models.Model) -> tuple[str, str, str, str]:
    return (
        obj._meta.label_lower,
        str(obj.pk),
        str(obj)[:200],
        getattr(obj, "territory_path", "") or getattr(obj, "path", "") or "",
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)  # dates, models, ProtectedValue (which prints masked)


def audit_record(
    *, actor, action: str, obj: models.Model, summary: dict | None = None, territory_path: str | None = None
) -> AuditEvent:
    object_type, object_id, object_repr, path = _describe(obj)
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        territory_path=territory_path if territory_path is not None else path,
        summary=_jsonable(summary or {}),
    )


def data_access_record(*, actor, obj: models.Model, field: str, reason: str) -> DataAccess:
    object_type, object_id, object_repr, path = _describe(obj)
    return DataAccess.objects.create(
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        field=field,
        reason=reason[:300],
        territory_path=path,
    )


def changes(obj: models.Model, fields: list[str], new: dict) -> dict:
    """{field: [old, new]} for the fields whose value differs."""
    diff = {}
    for name in fields:
        if name in new and getattr(obj, name) != new[name]:
            diff[name] = [getattr(obj, name), new[name]]
    return diff
