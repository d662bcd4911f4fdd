"""Re-encrypt every protected value with the newest data key.

Put the new key first in CIVICGRID_DATA_KEYS (keeping the old ones after it), run this command, and
once it reports nothing left to rotate the old keys can be dropped. It walks every model's
ProtectedField columns in primary-key batches, locks each batch while it rewrites it, and skips
values the newest key already decrypts, so running it again (or after an interruption) is safe.
The blind-index hashes do not depend on the data keys and are left as they are.
"""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from civicgrid.core import protected
from civicgrid.core.protected import ProtectedField, ProtectedValue


def protected_fields(model) -> list[ProtectedField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, ProtectedField)]


class Command(BaseCommand):
    help = "Re-encrypt every protected personal value with the newest key in CIVICGRID_DATA_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if not settings.DATA_KEYS:
            raise CommandError("CIVICGRID_DATA_KEYS holds no key.")
        totals = {"rows": 0, "rotated": 0, "current": 0}
        for model in apps.get_models():
            fields = protected_fields(model)
            if not fields:
                continue
            counts = self.rotate_model(model, fields, batch_size)
            for key in totals:
                totals[key] += counts[key]
            self.stdout.write(
                f"{model._meta.label}: {counts['rows']} rows, {counts['rotated']} values re-encrypted, "
                f"{counts['current']} already under the newest key"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {totals['rows']} rows, {totals['rotated']} values re-encrypted, "
                f"{totals['current']} already under the newest key."
            )
        )

    def rotate_model(self, model, fields: list[ProtectedField], batch_size: int) -> dict[str, int]:
        names = [f.attname for f in fields]
        counts = {"rows": 0, "rotated": 0, "current": 0}
        total = model._base_manager.count()
        last_pk = None
        while True:
            with transaction.atomic():
                qs = model._base_manager.select_for_update().order_by("pk").only("pk", *names)
                if last_pk is not None:
                    qs = qs.filter(pk__gt=last_pk)
                batch = list(qs[:batch_size])
                if not batch:
                    break
                changed = []
                for obj in batch:
                    dirty = False
                    for field in fields:
                        value = getattr(obj, field.attname)
                        if not value:
                            continue
                        if protected.is_current(value.ciphertext):
                            counts["current"] += 1
                            continue
                        try:
                            rotated = protected.rotate(value.ciphertext)
                        except InvalidToken as exc:
                            raise CommandError(
                                f"{model._meta.label} {obj.pk} {field.name}: no configured key decrypts it; "
                                "keep every old key in CIVICGRID_DATA_KEYS until the rotation is done."
                            ) from exc
                        setattr(obj, field.attname, ProtectedValue(field.kind, rotated))
                        counts["rotated"] += 1
                        dirty = True
                    if dirty:
                        changed.append(obj)
                if changed:
                    model._base_manager.bulk_update(changed, names)
            counts["rows"] += len(batch)
            last_pk = batch[-1].pk
            self.stdout.write(f"{model._meta.label}: {counts['rows']}/{total} rows checked")
        return counts
