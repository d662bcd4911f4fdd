"""Materialized paths: fixed-width segments make a subtree one half-open range [path, successor(path))."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicgrid.core import paths

segment_numbers = st.integers(min_value=1, max_value=paths.MAX_CHILDREN)
path_strategy = st.lists(segment_numbers, min_size=1, max_size=5).map(
    lambda ns: "".join(paths.segment(n) for n in ns)
)


def test_segment_is_four_digits_wide():
    assert paths.segment(1) == "0001"
    assert paths.segment(42) == "0042"
    assert paths.segment(paths.MAX_CHILDREN) == "9998"


@pytest.mark.parametrize("n", [0, -1, paths.MAX_CHILDREN + 1])
def test_segment_refuses_numbers_outside_the_allowed_range(n):
    with pytest.raises(ValueError, match="at most"):
        paths.segment(n)


def test_successor_of_a_path_increments_its_last_segment():
    assert paths.successor("0001") == "0002"
    assert paths.successor("00010009") == "00010010"
    assert paths.successor("00019998") == "00019999"


def test_successor_keeps_leading_zeros():
    assert paths.successor("0000000100010001") == "0000000100010002"
    assert len(paths.successor("0001")) == 4


def test_depth_counts_segments():
    assert paths.depth("0001") == 1
    assert paths.depth("000100020003") == 3


def test_ancestors_lists_every_proper_ancestor_root_first():
    assert paths.ancestors("000100020003") == ["0001", "00010002"]
    assert paths.ancestors("0001") == []


def test_is_within_holds_for_the_node_itself_and_its_descendants():
    assert paths.is_within("0001", "0001")
    assert paths.is_within("00010002", "0001")
    assert not paths.is_within("0002", "0001")
    assert not paths.is_within("0001", "00010002")


def test_is_within_refuses_a_path_of_broken_width():
    assert not paths.is_within("000100", "0001")


def test_minimal_roots_drops_roots_nested_in_another():
    assert paths.minimal_roots(["00010002", "0001", "00020001", "000100020003"]) == ["0001", "00020001"]


def test_minimal_roots_keeps_siblings_whose_paths_look_alike():
    assert paths.minimal_roots(["00010001", "00010010", "00010100"]) == ["00010001", "00010010", "00010100"]


def test_minimal_roots_of_nothing_is_nothing_and_duplicates_collapse():
    assert paths.minimal_roots([]) == []
    assert paths.minimal_roots(["0001", "0001"]) == ["0001"]


def test_subtree_q_is_a_half_open_range_on_the_field():
    q = paths.subtree_q("territory_path", "00010002")
    assert sorted(q.children) == [("territory_path__gte", "00010002"), ("territory_path__lt", "00010003")]


def test_any_subtree_q_of_no_roots_matches_nothing():
    q = paths.any_subtree_q("territory_path", [])
    assert ("pk__in", []) in q.children


def test_any_subtree_q_has_one_range_per_minimal_root():
    q = paths.any_subtree_q("territory_path", ["0001", "00010002", "0003"])
    ranges = [c for c in q.children if not (isinstance(c, tuple) and c[0] == "pk__in")]
    assert len(ranges) == 2


@given(root=path_strategy, other=path_strategy)
def test_a_path_lies_in_the_range_of_a_root_exactly_when_it_descends_from_it(root, other):
    in_range = root <= other < paths.successor(root)
    assert in_range == other.startswith(root)
    assert in_range == paths.is_within(other, root)


@given(root=path_strategy, rest=st.lists(segment_numbers, max_size=3))
def test_every_descendant_sorts_inside_the_range(root, rest):
    descendant = root + "".join(paths.segment(n) for n in rest)
    assert root <= descendant < paths.successor(root)
    assert paths.ancestors(descendant)[: paths.depth(root) - 1] == paths.ancestors(root)
