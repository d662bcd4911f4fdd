"""Protected personal data: ciphertext at rest, masked by default, exact lookup by a keyed hash."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core import serializers

from civicgrid.core import protected
from civicgrid.core.protected import ProtectedValue
from civicgrid.registry.models import Resident

ID = "11010519491231002X"
PHONE = "13812345678"


@pytest.fixture
def fresh_cipher():
    protected._fernet.cache_clear()
    yield
    protected._fernet.cache_clear()


def test_encrypt_then_decrypt_gives_the_plaintext_back():
    token = protected.encrypt(ID)
    assert ID not in token
    assert protected.decrypt(token) == ID


def test_the_same_plaintext_encrypts_differently_each_time():
    assert protected.encrypt(ID) != protected.encrypt(ID)


def test_a_value_encrypted_under_an_unknown_key_cannot_be_read(settings, fresh_cipher):
    foreign = Fernet(Fernet.generate_key()).encrypt(ID.encode()).decode()
    with pytest.raises(ValueError, match="cannot be decrypted"):
        protected.decrypt(foreign)


def test_rotate_moves_a_value_to_the_newest_key(settings, fresh_cipher):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.DATA_KEYS = [old]
    token = protected.encrypt(ID)
    settings.DATA_KEYS = [new, old]
    assert not protected.is_current(token)
    rotated = protected.rotate(token)
    assert protected.is_current(rotated)
    settings.DATA_KEYS = [new]
    assert protected.decrypt(rotated) == ID


def test_blind_index_is_stable_and_keeps_kinds_apart():
    assert protected.blind_index("id_number", ID) == protected.blind_index("id_number", ID)
    assert protected.blind_index("id_number", ID) != protected.blind_index("phone", ID)
    assert ID not in protected.blind_index("id_number", ID)


def test_blind_index_depends_on_the_hash_key(settings):
    before = protected.blind_index("phone", PHONE)
    settings.HASH_KEY = "another-hash-key-another-hash-key-another"
    assert protected.blind_index("phone", PHONE) != before


def test_an_id_number_is_masked_to_its_first_three_and_last_four_characters():
    assert protected.mask("id_number", "110105194912311234") == "110***********1234"
    assert protected.mask("id_number", ID) == "110***********002X"


def test_a_mobile_number_is_masked_in_the_middle():
    assert protected.mask("phone", PHONE) == "138****5678"


def test_a_short_phone_number_is_never_shown_in_full():
    for number in ("1234567", "123456", "12"):
        masked = protected.mask("phone", number)
        assert masked != number
        assert set(masked) == {"*"}


def test_an_empty_value_masks_to_nothing():
    assert protected.mask("phone", "") == ""


def test_a_protected_value_prints_masked_and_reveals_only_on_purpose():
    value = ProtectedValue("id_number", protected.encrypt(ID))
    assert str(value) == "110***********002X"
    assert ID not in repr(value)
    assert f"{value}" == "110***********002X"
    assert value.plaintext() == ID


def test_protected_values_compare_by_plaintext_and_are_falsy_when_empty():
    a = ProtectedValue("phone", protected.encrypt(PHONE))
    b = ProtectedValue("phone", protected.encrypt(PHONE))
    assert a == b
    assert a.ciphertext != b.ciphertext
    assert not ProtectedValue("phone", "")
    assert a


def test_assigning_a_string_wraps_it_at_once():
    resident = Resident(name="x")
    resident.phone = PHONE
    assert isinstance(resident.phone, ProtectedValue)
    assert str(resident.phone) == "138****5678"
    assert PHONE not in resident.phone.ciphertext
    resident.phone = None
    assert resident.phone.ciphertext == ""


def test_the_field_stores_ciphertext():
    field = Resident._meta.get_field("phone")
    stored = field.get_prep_value(PHONE)
    assert PHONE not in stored
    assert protected.decrypt(stored) == PHONE
    wrapped = ProtectedValue("phone", stored)
    assert field.get_prep_value(wrapped) == stored
    assert field.get_prep_value("") == ""


@pytest.mark.django_db
def test_serialising_carries_ciphertext_and_loading_it_back_keeps_the_value(world):
    resident = world.households["a"].head
    plain = resident.id_number.plaintext()
    text = serializers.serialize("json", [resident])
    assert plain not in text
    assert resident.id_number.ciphertext in text
    loaded = next(iter(serializers.deserialize("json", text))).object
    assert loaded.id_number.plaintext() == plain
    assert loaded.phone.plaintext() == resident.phone.plaintext()


def test_to_python_of_a_plain_string_encrypts_it():
    field = Resident._meta.get_field("id_number")
    value = field.to_python(ID)
    assert value.plaintext() == ID
    assert ID not in value.ciphertext
    assert field.to_python("").ciphertext == ""
