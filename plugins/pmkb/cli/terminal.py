"""Text for a terminal: aligned tables as wide as it is (`COLUMNS`, else its real size),
long cells and prose wrapped onto more lines rather than cut. When stdout is not a
terminal nothing is wrapped or cut, so scripts and grep see whole values, and there is
no colour (nor when NO_COLOR is set)."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import click

from pmkb.plaintext import plain

GAP = "  "
# Where stdout is a terminal that reports no size.
FALLBACK_WIDTH = 100


def _stdout_is_terminal() -> bool:
    # click.echo writes to sys.stdout, so that is the stream whose nature decides.
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def use_color() -> bool:
    """https://no-color.org: any non-empty NO_COLOR turns colour off; so does a pipe."""
    return not os.environ.get("NO_COLOR") and _stdout_is_terminal()


def output_width() -> int | None:
    """The columns text may use: COLUMNS, else the terminal's size; None when stdout is
    not a terminal, where lines are never wrapped or cut."""
    if not _stdout_is_terminal():
        return None
    return shutil.get_terminal_size((FALLBACK_WIDTH, 24)).columns


class Printer:
    """click.echo with the colour and width decisions made once, so no ANSI code reaches
    a pipe and every part of the output wraps at the same width."""

    def __init__(self) -> None:
        self.color = use_color()
        self.width = output_width()

    def __call__(self, text: str = "") -> None:
        click.echo(text, color=self.color)

    def style(self, text: str, **styles: Any) -> str:
        return click.style(text, **styles) if self.color and styles else text


def one_line(text: str) -> str:
    """Control characters shown as escapes (values come from files), runs of spaces as one."""
    return " ".join(plain(text).split())


def wrap_cell(text: str, width: int | None) -> list[str]:
    """A cell's text on as many lines of `width` as it needs; whole words where they fit.

    Nothing is dropped: a word longer than the column is split across lines.
    """
    text = one_line(text)
    if width is None or len(text) <= width or width <= 0:
        return [text]
    return textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=True) or [""]


@dataclass
class Column:
    header: str
    right: bool = False  # numbers align right


Cell = str | tuple[str, dict[str, Any]]


def table(
    out: Printer,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Cell]],
    indent: int = 0,
    shrink: Sequence[tuple[int, int]] = (),
) -> list[str]:
    """Aligned lines, as wide as the output allows; a row whose cells don't fit wraps
    them onto more lines, never cutting them.

    `shrink` lists (column index, narrowest width) of the columns that may give way
    when the table is too wide, the widest first: the caller knows which text people
    can spare. A table still too wide at those widths runs past the edge rather
    than lose text.
    """
    texts = [[one_line(cell if isinstance(cell, str) else cell[0]) for cell in row] for row in rows]
    widths = [max([len(column.header), *(len(row[i]) for row in texts)]) for i, column in enumerate(columns)]
    if out.width is not None:
        excess = indent + sum(widths) + len(GAP) * (len(columns) - 1) - out.width
        floors = {index: max(narrowest, len(columns[index].header)) for index, narrowest in shrink}
        # The widest column that may give way loses a character at a time, so long
        # columns meet in the middle instead of one of them collapsing.
        while excess > 0:
            room = [index for index, floor in floors.items() if widths[index] > floor]
            if not room:
                break
            widest = max(room, key=lambda index: (widths[index], -index))
            widths[widest] -= 1
            excess -= 1

    def lines(cells: Sequence[Cell], header: bool = False) -> list[str]:
        pieces = [wrap_cell(cell if isinstance(cell, str) else cell[0], widths[i]) for i, cell in enumerate(cells)]
        rendered = []
        for number in range(max(len(piece) for piece in pieces)):
            parts = []
            for i, (column, cell) in enumerate(zip(columns, cells, strict=False)):
                text = pieces[i][number] if number < len(pieces[i]) else ""
                styles = {} if isinstance(cell, str) else cell[1]
                padding = " " * (widths[i] - len(text))
                # Style the text only, never the padding, so alignment survives colour.
                styled = text if header or not text else out.style(text, **styles)
                parts.append(padding + styled if column.right else styled + padding)
            line = " " * indent + GAP.join(parts).rstrip()
            rendered.append(out.style(line, bold=True) if header else line)
        return rendered

    return [*lines([column.header for column in columns], header=True), *(line for row in rows for line in lines(row))]


def wrap_text(text: str, indent: int, first_indent: int | None = None, width: int | None = None) -> list[str]:
    """Prose indented by `indent` (`first_indent` on the first line), wrapped at `width` when given."""
    first = " " * (indent if first_indent is None else first_indent)
    text = one_line(text)
    if width is None:
        return [first + text]
    return textwrap.wrap(
        text,
        width=max(width, indent + 20),
        initial_indent=first,
        subsequent_indent=" " * indent,
        break_on_hyphens=False,
        break_long_words=False,
    ) or [""]
