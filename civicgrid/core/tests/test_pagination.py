"""Keyset pagination: pages follow one another with no row missed or repeated, ties included."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicgrid.audit.models import AuditEvent
from civicgrid.core.pagination import _encode, keyset_page

BASE = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)
ORDERS = [("id",), ("-id",), ("at", "id"), ("-at", "-id"), ("action", "-id"), ("-action", "at", "id")]


@pytest.fixture
def rows(db):
    """23 rows whose `at` and `action` repeat, so most orders run through ties."""
    events = [
        AuditEvent(
            at=BASE + dt.timedelta(minutes=i % 4),
            action=f"act.{i % 3}",
            object_type="t",
            object_id=str(i),
            object_repr=str(i),
        )
        for i in range(23)
    ]
    AuditEvent.objects.bulk_create(events)
    return AuditEvent.objects.filter(object_type="t")


def walk(qs, order, size):
    seen, cursor, pages = [], None, 0
    while True:
        page = keyset_page(qs, order=order, cursor=cursor, size=size)
        seen.extend(row.pk for row in page.rows)
        pages += 1
        assert pages < 100, "pagination does not end"
        if not page.has_more:
            assert page.next_cursor is None
            return seen
        assert len(page.rows) == size
        cursor = page.next_cursor


@pytest.mark.parametrize("order", ORDERS)
def test_walking_every_page_yields_every_row_once_in_order(rows, order):
    expected = list(rows.order_by(*order).values_list("pk", flat=True))
    assert walk(rows, order, 4) == expected


def test_pages_of_any_size_in_any_order_cover_the_rows_exactly(rows):
    expected = {order: list(rows.order_by(*order).values_list("pk", flat=True)) for order in ORDERS}

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(order=st.sampled_from(ORDERS), size=st.integers(min_value=1, max_value=25))
    def check(order, size):
        assert walk(rows, order, size) == expected[order]

    check()


def test_the_first_page_holds_size_rows_and_says_more_follow(rows):
    page = keyset_page(rows, order=("-id",), cursor=None, size=5)
    assert len(page.rows) == 5
    assert page.has_more
    assert page.next_cursor


def test_a_page_that_reaches_the_end_says_so(rows):
    page = keyset_page(rows, order=("id",), cursor=None, size=23)
    assert len(page.rows) == 23
    assert not page.has_more
    assert page.next_cursor is None


def test_rows_added_before_the_cursor_do_not_shift_the_next_page(rows):
    first = keyset_page(rows, order=("at", "id"), cursor=None, size=5)
    AuditEvent.objects.create(
        at=BASE - dt.timedelta(days=1), action="act.0", object_type="t", object_id="new", object_repr="new"
    )
    second = keyset_page(rows, order=("at", "id"), cursor=first.next_cursor, size=5)
    expected = list(rows.exclude(object_id="new").order_by("at", "id").values_list("pk", flat=True))[5:10]
    assert [r.pk for r in second.rows] == expected


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        "e30",
        _encode([1, 2, 3]),
        _encode(["abc"]),
        _encode([None]),
        _encode([{"a": 1}]),
        "",
        "%%%",
    ],
)
def test_a_malformed_cursor_starts_from_the_beginning(rows, cursor):
    page = keyset_page(rows, order=("-id",), cursor=cursor, size=3)
    assert [r.pk for r in page.rows] == list(rows.order_by("-id").values_list("pk", flat=True)[:3])


def test_a_cursor_with_a_bad_date_starts_from_the_beginning(rows):
    page = keyset_page(rows, order=("at", "id"), cursor=_encode(["yesterday", 1]), size=3)
    assert [r.pk for r in page.rows] == list(rows.order_by("at", "id").values_list("pk", flat=True)[:3])


def test_a_cursor_with_a_huge_number_starts_from_the_beginning():
    from civicgrid.core.pagination import _decode, _encode

    assert _decode(_encode([10**30])) is None
    assert _decode(_encode([5])) == [5]
