"""`rotate_keys` re-encrypts every protected value under the newest key, and is safe to run twice."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from civicgrid.core import protected
from civicgrid.core.management.commands.rotate_keys import protected_fields
from civicgrid.registry.models import Resident
from civicgrid.testing import build_world

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


def use_keys(settings, keys):
    settings.DATA_KEYS = keys
    protected._fernet.cache_clear()


def rotate(**options) -> str:
    out = io.StringIO()
    call_command("rotate_keys", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def residents_under_old_key(db, settings):
    use_keys(settings, [OLD])
    build_world()
    originals = {
        r.pk: (r.id_number.plaintext(), r.phone.plaintext(), r.id_number.ciphertext)
        for r in Resident.objects.all()
    }
    assert len(originals) == 8
    yield originals
    protected._fernet.cache_clear()


def test_resident_id_number_and_phone_are_the_protected_fields():
    assert {f.name for f in protected_fields(Resident)} == {"id_number", "phone"}


def test_after_rotation_only_the_new_key_is_needed(settings, residents_under_old_key):
    use_keys(settings, [NEW, OLD])
    output = rotate(batch_size=3)
    assert "registry.Resident: 8 rows, 16 values re-encrypted, 0 already under the newest key" in output
    assert "3/8 rows checked" in output  # progress, batch by batch
    use_keys(settings, [NEW])
    for resident in Resident.objects.all():
        id_number, phone, old_ciphertext = residents_under_old_key[resident.pk]
        assert resident.id_number.plaintext() == id_number
        assert resident.phone.plaintext() == phone
        assert resident.id_number.ciphertext != old_ciphertext


def test_without_rotation_the_new_key_alone_cannot_read_old_values(settings, residents_under_old_key):
    use_keys(settings, [NEW])
    with pytest.raises(ValueError, match="cannot be decrypted"):
        Resident.objects.first().id_number.plaintext()


def test_a_second_run_changes_nothing(settings, residents_under_old_key):
    use_keys(settings, [NEW, OLD])
    rotate()
    after_first = dict(Resident.objects.values_list("pk", "id_number"))
    output = rotate()
    assert "0 values re-encrypted, 16 already under the newest key" in output
    after_second = dict(Resident.objects.values_list("pk", "id_number"))
    assert {pk: v.ciphertext for pk, v in after_second.items()} == {
        pk: v.ciphertext for pk, v in after_first.items()
    }


def test_blind_index_lookups_still_work_after_rotation(settings, residents_under_old_key):
    use_keys(settings, [NEW, OLD])
    rotate()
    use_keys(settings, [NEW])
    some_id = next(iter(residents_under_old_key.values()))[0]
    found = Resident.objects.get(id_number_hash=protected.blind_index("id_number", some_id))
    assert found.id_number.plaintext() == some_id


def test_rotation_stops_with_a_clear_message_when_an_old_key_was_dropped_too_early(
    settings, residents_under_old_key
):
    use_keys(settings, [NEW])
    with pytest.raises(CommandError, match="no configured key decrypts it"):
        rotate()
    use_keys(settings, [OLD])
    assert Resident.objects.first().id_number.plaintext()  # nothing was half-written


def test_a_batch_size_below_one_is_refused(db):
    with pytest.raises(CommandError, match="batch-size"):
        rotate(batch_size=0)
