"""API tokens for integrations: shown once at creation, stored only as a keyed hash."""

from __future__ import annotations

import secrets

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from civicgrid.audit.services import audit_record
from civicgrid.core import clock
from civicgrid.core.protected import blind_index


class ApiToken(models.Model):
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "accounts"
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


@transaction.atomic
def token_create(*, actor, user, name: str, expires_at=None) -> tuple[ApiToken, str]:
    raw = "cg_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "token",
        key_hash=blind_index("api_token", raw),
        prefix=raw[:8],
        expires_at=expires_at,
    )
    audit_record(
        actor=actor, action="api_token.create", obj=token, summary={"user": user.username, "name": name}
    )
    return token, raw


def token_user(raw: str):
    """The active user behind a raw token, or None."""
    if not raw or not raw.startswith("cg_"):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=blind_index("api_token", raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or (token.expires_at and token.expires_at <= clock.now()) or not token.user.is_active:
        return None
    return token.user
