from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from civicgrid.accounts.tokens import token_create
from civicgrid.testing import make_user

BASE = "/open311/v2"
IN_GRID_A = {"lat": "27.02", "long": "108.02"}  # grid A is the square lon 108.00–108.05, lat 27.00–27.05


@pytest.fixture
def app_user(world):
    """The integration's own account: a valid token, and no role anywhere."""
    return make_user("open311-app")


@pytest.fixture
def api_key(app_user):
    _, raw = token_create(actor=None, user=app_user, name="open311 test client")
    return raw


@pytest.fixture
def o311():
    """A client without a session that enforces CSRF, as an external caller would meet it."""
    client = Client(enforce_csrf_checks=True)

    class Caller:
        def get(self, path: str, headers=None, **params):
            return client.get(f"{BASE}/{path}", params, headers=headers or {})

        def post(self, path: str, data: dict, headers=None):
            return client.post(
                f"{BASE}/{path}",
                urlencode(data),
                content_type="application/x-www-form-urlencoded; charset=utf-8",
                headers=headers or {},
            )

    return Caller()


@pytest.fixture
def submit(o311, api_key):
    """submit(**fields) → the response of POST requests.json with a valid api_key, in grid A by default."""

    def call(fmt: str = "json", headers=None, **fields):
        data = {"api_key": api_key, "service_code": "sanitation", "description": "垃圾堆了三天", **IN_GRID_A}
        data.update(fields)
        return o311.post(f"requests.{fmt}", {k: v for k, v in data.items() if v is not None}, headers)

    return call
