"""The <option> builder: kept lists (tuples) render once, and mark the choice as a fresh build does."""

from __future__ import annotations

from civicgrid.core.templatetags.options import options

PAIRS = ((1, "县"), (12, "· 镇 <东>"), (2, "· 村 & 组"))


def test_a_kept_list_marks_the_same_choice_as_a_list_built_each_time():
    for selected in (None, "", 12, "2", 1, "999"):
        assert str(options(PAIRS, selected)) == str(options(list(PAIRS), selected))


def test_only_the_chosen_value_is_marked_and_labels_are_escaped():
    html = str(options(PAIRS, 1))
    assert html.count(" selected") == 1
    assert '<option value="1" selected>县</option>' in html
    assert '<option value="12">· 镇 &lt;东&gt;</option>' in html  # 12 is not taken for 1
    assert "&amp;" in html
    assert " selected" not in str(options(PAIRS, None))
