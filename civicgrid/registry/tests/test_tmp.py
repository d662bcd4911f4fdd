def test_world(world):
    assert world.households["a"].members.count() == 3
    assert str(world.households["a"].head.id_number).count("*") == 11
