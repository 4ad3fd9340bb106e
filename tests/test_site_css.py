"""The stylesheet's colours: the focus ring stands out (WCAG 2.1 1.4.11, 3:1) on every background."""

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[1] / "static" / "css" / "site.css").read_text(encoding="utf-8")


def _var(name: str) -> str:
    return re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", CSS).group(1)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("ring", "background"),
    [("focus", "bg"), ("focus", "panel"), ("focus-on-dark", "brand")],
)
def test_site_css_focus_ring_has_3_to_1_on_its_background(ring, background):
    assert _contrast(_var(ring), _var(background)) >= 3


def test_site_css_header_uses_the_ring_for_dark_backgrounds():
    assert ".site-header :focus-visible { outline-color: var(--focus-on-dark); }" in CSS
