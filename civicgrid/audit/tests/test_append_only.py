"""The audit log is append-only (model, queryset and raw SQL), and every service writes to it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from civicgrid.accounts import services as accounts_services
from civicgrid.accounts.roles import Role
from civicgrid.audit import guard
from civicgrid.audit.models import AppendOnlyError, AuditEvent, DataAccess
from civicgrid.audit.services import audit_record, changes, data_access_record
from civicgrid.orgs import services as orgs_services
from civicgrid.registry import services as registry_services
from civicgrid.registry.models import Tag
from civicgrid.territory import services as territory_services
from civicgrid.territory.models import Level
from civicgrid.testing import id_number, square


@pytest.fixture
def event(world):
    return audit_record(actor=world.secretary, action="test.event", obj=world.grid_a, summary={"x": 1})


@pytest.fixture
def access_row(world):
    return data_access_record(
        actor=world.secretary, obj=world.households["a"].head, field="id_number", reason="home visit"
    )


def refused_by_database(sql_or_callable, params=()):
    """True when the database refuses the statement; a nested atomic keeps the test's transaction usable."""
    try:
        with transaction.atomic():
            if callable(sql_or_callable):
                sql_or_callable()
            else:
                with connection.cursor() as cursor:
                    cursor.execute(sql_or_callable, params)
    except DatabaseError as exc:
        assert "append-only" in str(exc)
        return True
    return False


def test_a_saved_event_cannot_be_changed_through_the_model(event):
    event.summary = {"x": 2}
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).summary == {"x": 1}


def test_an_event_cannot_be_deleted_through_the_model(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_queryset_update_is_refused_by_the_database(event):
    assert refused_by_database(lambda: AuditEvent.objects.filter(pk=event.pk).update(action="forged"))
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_a_queryset_delete_is_refused_by_the_database(event):
    assert refused_by_database(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_update_and_delete_are_refused(event):
    assert refused_by_database("UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [event.pk])
    assert refused_by_database("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_a_data_access_row_is_append_only_too(access_row):
    with pytest.raises(AppendOnlyError):
        access_row.save()
    with pytest.raises(AppendOnlyError):
        access_row.delete()
    assert refused_by_database("UPDATE audit_dataaccess SET reason = 'x' WHERE id = %s", [access_row.pk])
    assert refused_by_database(lambda: DataAccess.objects.all().delete())
    assert DataAccess.objects.get(pk=access_row.pk).reason == "home visit"


def test_emptying_the_whole_table_is_refused(event):
    def empty():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending FK checks first
                cursor.execute("TRUNCATE audit_auditevent CASCADE")
            else:  # SQLite's nearest is a DELETE without WHERE (its truncate shortcut)
                cursor.execute("DELETE FROM audit_auditevent")

    assert refused_by_database(empty)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_new_events_can_still_be_added(event):
    second = audit_record(actor=None, action="test.second", obj=event)
    assert second.pk != event.pk
    assert second.actor is None


def test_flush_in_production_leaves_the_audit_log_alone(settings, event):
    settings.PRODUCTION = True
    with pytest.raises(CommandError), transaction.atomic():
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_guard_is_lifted_only_inside_a_transaction():
    class Autocommit:
        in_atomic_block = False
        vendor = connection.vendor

    with pytest.raises(RuntimeError, match="inside a transaction"), guard.lifted(Autocommit()):
        pass


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_log_and_puts_the_guard_back(world):
    assert AuditEvent.objects.exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    assert not DataAccess.objects.exists()
    fresh = AuditEvent.objects.create(action="after.flush", object_type="x", object_id="1", object_repr="x")
    assert refused_by_database("UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [fresh.pk])
    assert refused_by_database("DELETE FROM audit_auditevent WHERE id = %s", [fresh.pk])


def test_the_summary_never_holds_a_protected_plaintext(world):
    head = world.households["a"].head
    plain = head.id_number.plaintext()
    record = audit_record(
        actor=world.secretary,
        action="test.protected",
        obj=head,
        summary={"id": head.id_number, "nested": [head.phone]},
    )
    assert plain not in str(record.summary)
    assert record.summary["id"] == plain[:3] + "*" * 11 + plain[-4:]


def test_changes_lists_only_the_fields_that_differ(world):
    assert changes(world.grid_a, ["name", "code"], {"name": "新名", "code": world.grid_a.code}) == {
        "name": ["第一网格", "新名"]
    }


# --- Every service writes one audit row with its actor, action and a summary.


SERVICES = {
    "territory.create": lambda w: territory_services.territory_create(
        actor=w.secretary, level=Level.GRID, name="新网格", parent=w.c1
    ),
    "territory.update": lambda w: territory_services.territory_update(
        actor=w.secretary, node=w.grid_c, name="第十网格（新）", boundary=square(108.2, 27.2)
    ),
    "territory.move": lambda w: territory_services.territory_move(
        actor=w.secretary, node=w.grid_c, new_parent=w.c2
    ),
    "territory.retire": lambda w: territory_services.territory_retire(
        actor=w.secretary,
        node=territory_services.territory_create(actor=None, level=Level.GRID, name="空", parent=w.c2),
    ),
    "user.create": lambda w: accounts_services.user_create(
        actor=w.secretary, username="newbie", password=None
    ),
    "role.assign": lambda w: accounts_services.role_assign(
        actor=w.secretary, user=w.outsider, role=Role.GRID_WORKER, territory=w.grid_b
    ),
    "role.revoke": lambda w: accounts_services.role_revoke(
        actor=w.secretary, assignment=w.grid_chief_b.assignments.get()
    ),
    "organisation.create": lambda w: orgs_services.organisation_create(
        actor=w.secretary, kind="mass_org", name="妇联", territory=w.c1
    ),
    "organisation.update": lambda w: orgs_services.organisation_update(
        actor=w.secretary, org=w.department, contact_phone="0856-1234567"
    ),
    "party_member.join": lambda w: orgs_services.party_member_join(
        actor=w.secretary,
        resident=w.households["a"].head,
        organisation=orgs_services.organisation_create(
            actor=None, kind="party_org", name="党委", territory=w.c1
        ),
    ),
    "house.create": lambda w: registry_services.house_create(
        actor=w.secretary, unit=w.unit_a1, address="新楼1号"
    ),
    "household.create": lambda w: registry_services.household_create(
        actor=w.secretary,
        house=w.households["a"].house,
        head={"name": "新户主", "id_number": id_number(dt.date(1990, 1, 1)), "phone": "13900000001"},
    ),
    "resident.add": lambda w: registry_services.resident_add(
        actor=w.secretary, household=w.households["a"], data={"name": "新生", "id_number": id_number()}
    ),
    "resident.update": lambda w: registry_services.resident_update(
        actor=w.secretary, resident=w.households["a"].head, data={"name": "改名"}
    ),
    "household.update": lambda w: registry_services.household_update(
        actor=w.secretary, household=w.households["a"], notes="门前有狗"
    ),
    "resident.move_out": lambda w: registry_services.resident_move_out(
        actor=w.secretary, resident=w.households["b"].head
    ),
    "resident.transfer": lambda w: registry_services.resident_transfer(
        actor=w.secretary, resident=w.households["b"].head, to=w.households["a"]
    ),
    "tag.apply": lambda w: registry_services.tag_apply(
        actor=w.secretary, tag=Tag.objects.get(code="veteran"), resident=w.households["a"].head
    ),
    "tag.remove": lambda w: registry_services.tag_remove(
        actor=w.secretary,
        tagging=registry_services.tag_apply(
            actor=None, tag=Tag.objects.get(code="veteran"), resident=w.households["a"].head
        ),
    ),
}


@pytest.mark.parametrize("action", sorted(SERVICES))
def test_every_service_writes_one_audit_event_with_actor_and_summary(world, action):
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    SERVICES[action](world)
    written = AuditEvent.objects.filter(pk__gt=last, action=action, actor=world.secretary)
    assert written.count() == 1
    event = written.get()
    assert event.summary
    assert event.object_type and event.object_id and event.object_repr
