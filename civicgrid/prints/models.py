from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import TimeStamped


class PrintStatus(models.TextChoices):
    QUEUED = "queued", _("waiting for the background worker")
    RUNNING = "running", _("being laid out")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class Print(TimeStamped):
    """A PDF made in the background (the ledger, a sheet of door plates): laying out thousands of rows
    or hundreds of plates takes up to a minute, longer than a request should wait. Only whoever
    asked for it may fetch it; it is kept a day."""

    kind = models.CharField(max_length=32, editable=False)  # a `PrintKind` a manifest declares
    requested_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="prints",
        editable=False,
        db_index=False,  # print_mine_idx leads with it
    )
    params = models.JSONField(default=dict, editable=False)  # what the kind needs to make it again
    language = models.CharField(max_length=16, blank=True, editable=False)  # the requester's, at asking
    status = models.CharField(max_length=16, choices=PrintStatus.choices, default=PrintStatus.QUEUED)
    rows = models.PositiveIntegerField(default=0)
    cut = models.BooleanField(default=False)
    pdf = models.BinaryField(null=True, editable=False)  # personal data is masked in it, as on the page
    message = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["requested_by", "created_at"], name="print_mine_idx")]

    def __str__(self) -> str:
        return f"{self.kind} print {self.pk} ({self.status})"
