"""Test doubles for outbound channels: they record what would have gone out, or fail on purpose."""

from __future__ import annotations

from civicgrid.notify.channels import Channel, SmsChannel


class RecordingSms(SmsChannel):
    """An SMS gateway adapter that keeps the messages in memory instead of calling a gateway."""

    sent: list[tuple[str, str]] = []

    def send_sms(self, phone: str, text: str) -> None:
        RecordingSms.sent.append((phone, text))


class BrokenChannel(Channel):
    name = "broken"

    def send(self, notification) -> bool:
        raise ConnectionError("the gateway is down")
