"""Values from files made safe for plain-text output: terminals, CI logs, build logs.

A title, owner, key or file name can hold a line break or an escape sequence. Printed
as is, a line break starts a line that CI systems read as a command (GitHub Actions'
`::error ...`), and an escape sequence retitles or repaints the reader's terminal.
Every plain-text output passes such values through `plain`, which shows each of those
characters as a visible escape instead (`\\n`, `\\x1b`, `\\u2028`).
"""

from __future__ import annotations

from pmkb.jsontext import indented_json

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# C0 and C1 controls and DEL; line and paragraph separators; the bidirectional
# controls that reorder how a line reads ("Trojan Source").
_UNSAFE = [
    *range(0x20),
    *range(0x7F, 0xA0),
    0x061C,
    0x200E,
    0x200F,
    0x2028,
    0x2029,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
]


def _escape(code: int) -> str:
    char = chr(code)
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_TABLE = {code: _escape(code) for code in _UNSAFE}


def plain(text: str) -> str:
    """`text` with every control character, line break and bidi control shown as an escape."""
    if text.isprintable():  # the common case: none of them present
        return text
    return text.translate(_TABLE)


# In JSON text these can only sit inside strings; json.dumps leaves them raw when not
# escaping all of non-ASCII, and a terminal still acts on C1 controls such as \x9b.
_JSON_TABLE = {code: f"\\u{code:04x}" for code in _UNSAFE if code >= 0x7F}


def json_text(data: object) -> str:
    """`data` as indented JSON, readable Unicode kept, every control character escaped."""
    return indented_json(data).translate(_JSON_TABLE)


def plain_lines(text: str) -> str:
    """Like `plain`, but the line breaks of a message made of several lines are kept.

    For messages pmkb composes itself from lines; any value inside them must already
    have been made plain (or shown with repr), since its line breaks would survive.
    """
    return "\n".join(plain(line) for line in text.split("\n"))
