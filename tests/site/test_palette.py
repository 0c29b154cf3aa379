"""Contrast of pmkb's colours, read from pmkb.css itself, in Material's light and dark schemes.

Every text colour a pmkb rule sets must reach WCAG AA (4.5:1) against every background
pmkb text can sit on: the page, a chip, an overdue row, the highlighted alert row; the
badge text against each severity colour. The axe browser tests check rendered pages;
this one checks every colour pair, including ones the example site happens not to show.
"""

from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "plugins" / "pmkb" / "site" / "assets" / "pmkb.css"
AA = 4.5

# Material for MkDocs' own values for the variables pmkb.css refers to (9.7, hue 225deg).
MATERIAL = {
    "default": {
        "--md-default-bg-color": "#fff",
        "--md-default-fg-color": "#000000de",
        "--md-default-fg-color--lightest": "#00000012",
        "--md-code-bg-color": "#f5f5f5",
        "--md-accent-fg-color": "#ff6e42",
    },
    "slate": {
        "--md-default-bg-color": "hsla(225deg, 15%, 14%, 1)",
        "--md-default-fg-color": "hsla(225deg, 15%, 90%, 0.82)",
        "--md-default-fg-color--lightest": "hsla(225deg, 15%, 90%, 0.12)",
        "--md-code-bg-color": "hsla(225deg, 15%, 18%, 1)",
        "--md-accent-fg-color": "#ff6e42",
    },
}

RGBA = tuple[float, float, float, float]


@dataclass
class Rule:
    selector: str
    declarations: dict[str, str]


def parse_rules(text: str) -> list[Rule]:
    """Style rules with their declarations; @media blocks are flattened (their rules still apply)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    rules: list[Rule] = []
    stack: list[str] = []
    start = 0
    for position, char in enumerate(text):
        if char == "{":
            stack.append(text[start:position].strip())
            start = position + 1
        elif char == "}":
            body = text[start:position]
            selector = stack.pop() if stack else ""
            start = position + 1
            if selector.startswith("@"):
                continue
            declarations = {}
            for item in body.split(";"):
                if ":" in item:
                    name, value = item.split(":", 1)
                    declarations[name.strip()] = value.replace("!important", "").strip()
            rules.append(Rule(selector, declarations))
    return rules


def parse_colour(value: str) -> RGBA:
    value = value.strip()
    if value == "transparent":
        return (0.0, 0.0, 0.0, 0.0)
    if value.startswith("#"):
        digits = value[1:]
        if len(digits) in (3, 4):
            digits = "".join(d * 2 for d in digits)
        channels = [int(digits[i : i + 2], 16) / 255 for i in range(0, len(digits), 2)]
        return (channels[0], channels[1], channels[2], channels[3] if len(channels) == 4 else 1.0)
    match = re.fullmatch(r"(rgba?|hsla?)\((.*)\)", value)
    if not match:
        raise ValueError(f"not a colour: {value!r}")
    parts = [part.strip() for part in match.group(2).split(",")]
    alpha = float(parts[3]) if len(parts) == 4 else 1.0
    if match.group(1).startswith("rgb"):
        return (int(parts[0]) / 255, int(parts[1]) / 255, int(parts[2]) / 255, alpha)
    hue = float(parts[0].removesuffix("deg")) / 360
    red, green, blue = colorsys.hls_to_rgb(hue, float(parts[2].rstrip("%")) / 100, float(parts[1].rstrip("%")) / 100)
    return (red, green, blue, alpha)


def over(top: RGBA, below: RGBA) -> RGBA:
    """`top` painted over an opaque `below`."""
    alpha = top[3]
    return (*(t * alpha + b * (1 - alpha) for t, b in zip(top[:3], below[:3], strict=False)), 1.0)  # type: ignore[return-value]


def luminance(colour: RGBA) -> float:
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in colour[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: RGBA, second: RGBA) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class Palette:
    """The custom properties in force for one colour scheme, Material's and pmkb's."""

    def __init__(self, rules: list[Rule], scheme: str) -> None:
        self.variables = dict(MATERIAL[scheme])
        for rule in rules:
            selectors = {part.strip() for part in rule.selector.split(",")}
            applies = bool(selectors & {":root", "[data-md-color-scheme]"}) or (
                scheme == "slate" and '[data-md-color-scheme="slate"]' in selectors
            )
            if applies:
                self.variables.update({k: v for k, v in rule.declarations.items() if k.startswith("--")})

    def resolve(self, value: str) -> str:
        for _ in range(10):
            match = re.search(r"var\((--[\w-]+)(?:\s*,\s*([^()]*(?:\([^()]*\))?[^()]*))?\)", value)
            if not match:
                return value
            replacement = self.variables.get(match.group(1), match.group(2))
            assert replacement is not None, f"{match.group(1)} is not defined"
            value = value[: match.start()] + replacement.strip() + value[match.end() :]
        raise AssertionError(f"var() nesting too deep in {value!r}")

    def colour(self, value: str) -> RGBA:
        return parse_colour(self.resolve(value))


RULES = parse_rules(CSS.read_text(encoding="utf-8"))
PMKB_RULES = [rule for rule in RULES if "pmkb" in rule.selector and not rule.selector.startswith(":root")]


def text_colours(palette: Palette) -> dict[str, RGBA]:
    """selector -> the text colour it sets (SVG text counts: a rule with a font-size and a fill)."""
    found = {}
    for rule in PMKB_RULES:
        value = rule.declarations.get("color")
        if value is None and "font-size" in rule.declarations:
            value = rule.declarations.get("fill")
        if value and value not in ("inherit", "currentColor", "transparent") and "--pmkb-sev-text" not in value:
            found[rule.selector] = palette.colour(value)
    return found


def text_backgrounds(palette: Palette) -> dict[str, RGBA]:
    """Where pmkb text can sit: the page, a chip, an overdue row, the alert row a link points at."""
    page = palette.colour("var(--md-default-bg-color)")
    return {
        "page": page,
        "chip": over(palette.colour("var(--pmkb-chip-bg)"), page),
        "overdue row": over(palette.colour("var(--pmkb-alarm-bg)"), page),
        "target row": over(palette.colour("var(--pmkb-target-bg)"), page),
    }


def severity_backgrounds(palette: Palette) -> dict[str, RGBA]:
    found = {}
    for rule in PMKB_RULES:
        if re.fullmatch(r"\.pmkb-bg-\d+", rule.selector):
            found[rule.selector] = palette.colour(rule.declarations["background-color"])
    return found


SCHEMES = list(MATERIAL)


def test_the_stylesheet_parses_into_the_rules_the_test_relies_on() -> None:
    palette = Palette(RULES, "default")
    assert len(severity_backgrounds(palette)) == 5
    colours = text_colours(palette)
    for needed in (
        ".md-typeset .pmkb-overdue",
        ".md-typeset .pmkb-chip-tag,\n.md-typeset a.pmkb-chip-tag",
        ".pmkb-chart-axis",
    ):
        assert needed in colours, sorted(colours)
    # The scheme actually changes the colours it should.
    assert Palette(RULES, "slate").colour("var(--pmkb-sev-text)") != palette.colour("var(--pmkb-sev-text)")


def test_contrast_formula_matches_wcag_examples() -> None:
    white, black = parse_colour("#fff"), parse_colour("#000")
    assert contrast(white, black) == pytest.approx(21)
    # The failures reported against earlier badge colours: white on #E65100 and on #B58100.
    assert contrast(white, parse_colour("#e65100")) == pytest.approx(3.79, abs=0.01)
    assert contrast(white, parse_colour("#b58100")) == pytest.approx(3.44, abs=0.01)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_badge_text_on_every_severity_colour(scheme: str) -> None:
    palette = Palette(RULES, scheme)
    text = palette.colour("var(--pmkb-sev-text)")
    low = {
        selector: round(contrast(text, background), 2)
        for selector, background in severity_backgrounds(palette).items()
        if contrast(text, background) < AA
    }
    assert not low, f"badge text under {AA}:1 in the {scheme} scheme: {low}"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_text_colour_on_every_background(scheme: str) -> None:
    palette = Palette(RULES, scheme)
    low = []
    for selector, colour in text_colours(palette).items():
        for where, background in text_backgrounds(palette).items():
            ratio = contrast(over(colour, background), background)
            if ratio < AA:
                low.append(f"{' '.join(selector.split())} on the {where}: {ratio:.2f}:1")
    assert not low, f"text under {AA}:1 in the {scheme} scheme:\n" + "\n".join(low)
