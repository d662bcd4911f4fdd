"""Shared fixtures: a small tree with personas (healthchecks-style), and the browser set-up."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside the ORM


@pytest.fixture(autouse=True)
def _fresh_grants():
    """Access grants are cached per user object; tests build users fresh, but clear after each test anyway."""
    yield


@pytest.fixture
def world(db):
    from civicgrid.testing import build_world

    return build_world()


@pytest.fixture
def client_for(client):
    """client_for(user) → a test client logged in as that user."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make
