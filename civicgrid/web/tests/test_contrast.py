"""The shell's coloured text on its coloured backgrounds reads at WCAG AA (4.5:1 for small text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).parents[1] / "static" / "civicgrid" / "app.css").read_text()
VARS = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS))


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _ratio(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _colours(selector: str) -> tuple[str, str]:
    rule = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", CSS)[1]
    background = re.search(r"background:\s*(#[0-9a-fA-F]{6})", rule)[1]
    colour = re.search(r"(?<!-)color:\s*(var\(--([a-z-]+)\)|#[0-9a-fA-F]{6})", rule)
    return (VARS[colour[2]] if colour[2] else colour[1]), background


@pytest.mark.parametrize(
    "selector",
    [".badge", ".badge.overdue", ".badge.soon", ".badge.ok", ".msg-success", ".msg-error", ".msg-warning"],
)
def test_small_coloured_text_reads_at_aa(selector):
    colour, background = _colours(selector)
    assert _ratio(colour, background) >= 4.5, (
        selector,
        colour,
        background,
        round(_ratio(colour, background), 2),
    )
