import pytest


@pytest.mark.django_db(transaction=True)
def test_probe(world):
    assert world.households["a"]
