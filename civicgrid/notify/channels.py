"""Outbound channels. Each takes a stored notification and tries to get it to a person.

`send` returns True when the message went out, False when this channel cannot reach that recipient
(no e-mail address, no phone). A channel that fails outright raises; the delivery loop logs it and
goes on, so one broken gateway never blocks the others (nor, being after commit, the case).

Settings: `CIVICGRID_NOTIFY_CHANNELS` lists the channels as dotted paths. An SMS gateway is a
subclass of `SmsChannel` that implements `send_sms`.
"""

from __future__ import annotations

import abc
import inspect
import logging
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from civicgrid.audit.services import audit_record
from civicgrid.core.protected import mask
from civicgrid.notify.models import Notification, Target

log = logging.getLogger("civicgrid.notify")


class Channel(abc.ABC):
    name = "channel"

    @abc.abstractmethod
    def send(self, notification: Notification) -> bool:
        """Deliver one notification; False when this channel cannot reach its recipient."""


def language_for(notification: Notification) -> str:
    user = notification.recipient
    return (getattr(user, "language", "") or settings.LANGUAGE_CODE) if user else settings.LANGUAGE_CODE


def rendered(notification: Notification) -> str:
    with translation.override(language_for(notification)):
        return notification.text


class ConsoleChannel(Channel):
    """Writes each notification to the log: for development, and as a trace beside the real channels."""

    name = "console"

    def send(self, notification: Notification) -> bool:
        who = notification.recipient or notification.get_target_display()
        log.info("notification %s to %s: %s", notification.pk, who, rendered(notification))
        return True


class EmailChannel(Channel):
    """E-mail to the recipient user's address, through Django's mail settings (`EMAIL_*`)."""

    name = "email"

    def send(self, notification: Notification) -> bool:
        user = notification.recipient
        if notification.target != Target.USER or user is None or not user.email:
            return False
        with translation.override(language_for(notification)):
            subject = (
                _("[civicgrid] case %(code)s") % {"code": notification.case.code}
                if notification.case_id
                else _("[civicgrid] reminder")
            )
            body = notification.text
        return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False) == 1


class SmsChannel(Channel):
    """The adapter interface for an SMS gateway: subclass it and implement `send_sms`.

    Only reporters who gave a phone number are reached by SMS (staff accounts hold no phone); the
    number is decrypted here, at the moment of sending, and never logged.
    """

    name = "sms"

    @abc.abstractmethod
    def send_sms(self, phone: str, text: str) -> None:
        """Hand one message to the gateway; raise on failure. Implemented by each gateway adapter."""

    def send(self, notification: Notification) -> bool:
        phone = self.phone_for(notification)
        if not phone:
            return False
        self.send_sms(phone, rendered(notification))
        # Decrypting a phone to use it is a use of personal data: it leaves a trace, masked.
        audit_record(
            actor=None,
            action="notify.sms",
            obj=notification.case,
            summary={"notification": notification.pk, "phone": mask("phone", phone)},
        )
        return True

    @staticmethod
    def phone_for(notification: Notification) -> str:
        if notification.target != Target.REPORTER or not notification.case_id:
            return ""
        follower = notification.follower
        if follower is not None and follower.resident_id and follower.resident.phone:
            return follower.resident.phone.plaintext()
        return notification.case.reporter_phone.plaintext() if notification.case.reporter_phone else ""


def load(path: str) -> Channel:
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"CIVICGRID_NOTIFY_CHANNELS: cannot import {path!r} ({exc}).") from None
    if not (isinstance(cls, type) and issubclass(cls, Channel)):
        raise ImproperlyConfigured(f"CIVICGRID_NOTIFY_CHANNELS: {path!r} is not a notification Channel.")
    if inspect.isabstract(cls):
        raise ImproperlyConfigured(
            f"CIVICGRID_NOTIFY_CHANNELS: {path!r} is an interface; name a class that implements it."
        )
    return cls()


@lru_cache(maxsize=8)
def _configured(paths: tuple[str, ...]) -> tuple[Channel, ...]:
    return tuple(load(p) for p in paths)


def configured() -> tuple[Channel, ...]:
    return _configured(tuple(settings.CIVICGRID_NOTIFY_CHANNELS))
