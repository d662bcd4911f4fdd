"""The admin site covers every model, and administrators' edits are audited."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model

from civicgrid.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


# Kept out on purpose: every read of a key person goes through the module's audited selectors, and
# the admin's lists would read them unrecorded (see civicgrid/keypersons/admin.py).
NOT_IN_ADMIN = {
    "keypersons.KeyPerson",
    "keypersons.KeyPersonReview",
    "keypersons.KeyPersonAlert",
    "keypersons.KeyPersonVisit",
    "prints.Print",  # a requester's own print, kept a day: not for anyone else to open
}


def test_every_civicgrid_model_is_in_the_admin():
    missing = {
        m._meta.label
        for m in apps.get_models()
        if m.__module__.startswith("civicgrid.") and m not in admin.site._registry
    }
    assert missing == NOT_IN_ADMIN


def test_an_admin_edit_is_audited(world, client):
    root = get_user_model().objects.create_superuser("root", "", "root-pass-2026!")
    client.force_login(root)
    org = world.department
    response = client.post(
        f"/admin/orgs/organisation/{org.pk}/change/",
        {
            "kind": org.kind,
            "name": "县水务局（改）",
            "territory": org.territory_id,
            "party_level": "",
            "categories": '["water"]',
            "contact_phone": "",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.filter(action="admin.change", object_id=str(org.pk)).get()
    assert event.actor == root and "name" in event.summary["fields"]


def test_an_admin_move_of_an_organisation_keeps_its_path(world, client):
    root = get_user_model().objects.create_superuser("root", "", "root-pass-2026!")
    client.force_login(root)
    org = world.department
    client.post(
        f"/admin/orgs/organisation/{org.pk}/change/",
        {
            "kind": org.kind,
            "name": org.name,
            "territory": world.town.pk,
            "party_level": "",
            "categories": '["water"]',
            "contact_phone": "",
            "active": "on",
        },
    )
    org.refresh_from_db()
    assert org.territory == world.town and org.territory_path == world.town.path


def test_every_admin_list_opens_for_a_superuser(world, client):
    root = get_user_model().objects.create_superuser("root", "", "root-pass-2026!")
    client.force_login(root)
    for model in admin.site._registry:
        if not model.__module__.startswith("civicgrid."):
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url
