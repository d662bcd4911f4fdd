"""Nothing of key persons reaches the roles not designated: registry pages, exports, the API, the home page.

A key person is registered in grid A with words a page could carry (the category, the reason, the
colour labels); every surface other roles use is searched for them.
"""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from civicgrid.accounts.tokens import token_create
from civicgrid.keypersons.tests.conftest import register

pytestmark = pytest.mark.django_db

REASON = "吸毒史复吸风险高"


@pytest.fixture
def kp(people):
    return register(people, reason=REASON)


def _traces(kp) -> list[str]:
    """Words that would give a key person away (colour names alone are too common to search for)."""
    return [REASON, kp.category.name_zh, kp.category.name_en, "重点人员", "ey person", "/keypersons/", "KP-"]


def _clean(text: str, kp) -> None:
    found = [w for w in _traces(kp) if w in text]
    assert found == [], f"key-person traces: {found}"


@pytest.mark.parametrize("name", ["grid_worker_a", "unit_chief_a", "clerk"])
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_household_and_resident_pages_carry_no_trace(people, kp, client_for, name, lang):
    client = client_for(people.users[name])
    client.cookies["django_language"] = lang
    household = kp.resident.household
    for url in (
        reverse("registry:household_detail", args=[household.pk]),
        reverse("registry:household_list"),
        reverse("registry:resident_list"),
        reverse("home"),
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert kp.resident.name in text or url == reverse("home")
        _clean(text, kp)


def test_the_registry_export_carries_no_trace(people, kp, client_for):
    response = client_for(people.clerk).get(reverse("registry:resident_export"))
    assert response.status_code == 200
    book = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    cells = " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value)
    assert kp.resident.name in cells
    _clean(cells, kp)


def test_the_registry_api_carries_no_trace(people, kp, client):
    token = token_create(actor=None, user=people.grid_worker_a, name="t")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    household = kp.resident.household
    for url in (f"/api/v1/households/{household.pk}", "/api/v1/residents"):
        response = client.get(url, **auth)
        assert response.status_code == 200, url
        text = json.dumps(response.json(), ensure_ascii=False)
        assert kp.resident.name in text
        _clean(text, kp)


def test_the_menu_offers_key_persons_only_to_designated_roles(people, client_for):
    link = f'href="{reverse("keypersons:list")}"'
    assert link in client_for(people.grid_chief_a).get(reverse("home")).content.decode()
    for name in ("grid_worker_a", "unit_chief_a", "clerk", "handler"):
        assert link not in client_for(people.users[name]).get(reverse("home")).content.decode()


def test_registering_a_key_person_adds_no_registry_tag(people, kp):
    assert not kp.resident.taggings.exists()


def test_the_audit_log_keeps_key_person_rows_from_a_reader_without_the_permission(kp, people, client_for):
    from civicgrid.accounts.roles import Role
    from civicgrid.testing import make_user

    committee = make_user("committee_c1", Role.TWO_COMMITTEES, people.c1)  # audit.view, no keypersons.view
    client_for(people.grid_chief_a).get(reverse("keypersons:list"))  # a read, audited as keyperson.read
    theirs = client_for(committee).get(reverse("audit_list")).content.decode()
    mine = client_for(people.secretary).get(reverse("audit_list")).content.decode()
    assert "keyperson." in mine  # the secretary holds keypersons.view over C1
    assert "keyperson." not in theirs and "KP-" not in theirs
    assert "registry." in theirs or "household." in theirs or "house." in theirs  # the rest is still there
