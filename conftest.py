"""Shared fixtures: a small tree with personas (healthchecks-style), and the browser set-up."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside the ORM


def _db_order(item) -> int:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    if (
        (marker and marker.kwargs.get("transaction"))
        or "transactional_db" in fixtures
        or "live_server" in fixtures
    ):
        return 1
    return 0 if marker or "db" in fixtures else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Transactional tests (browser, races) last, each starting from the migrated database.

    Such a test ends by emptying every table, the rows data migrations put there (categories, tags,
    key-person categories) included. pytest-django runs them after the other database tests, but
    pytest then moves the users of a session-scoped fixture (the browser) together, among the others;
    sorted again here, nothing runs after them but other transactional tests, and each of those
    reloads the migrated content first (`serialized_rollback`).
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(pytest.mark.django_db(**marker.kwargs, serialized_rollback=True), append=False)
    items.sort(key=_db_order)


@pytest.fixture(autouse=True)
def _fresh_grants():
    """Access grants are cached per user object; tests build users fresh, but clear after each test anyway."""
    yield


@pytest.fixture(autouse=True)
def _fresh_reference_lists():
    """Lists kept between requests (core/refcache.py) are dropped: a rolled-back test reports no change."""
    from civicgrid.core import refcache

    refcache.forget()
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


CHROMIUM = os.environ.get("CIVICGRID_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded build. A missing browser fails the test: it is not a skip."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def phone_context(browser):
    """phone_context(lang) → a new 375 px wide browser context speaking zh-CN or en-US."""
    contexts = []

    def make(lang: str):
        ctx = browser.new_context(
            viewport={"width": 375, "height": 812},
            locale="zh-CN" if lang == "zh" else "en-US",
            extra_http_headers={"Accept-Language": "zh-CN,zh" if lang == "zh" else "en-US,en"},
        )
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()
