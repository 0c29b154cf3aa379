"""A page's fingerprint changes with any of its parts, and never matches across part boundaries."""

from __future__ import annotations

from pmkb.site.incremental import fingerprint


def test_equal_parts_give_equal_fingerprints() -> None:
    assert fingerprint("body", ("row", 1), None) == fingerprint("body", ("row", 1), None)


def test_parts_are_kept_apart_and_typed() -> None:
    seen = {
        fingerprint("ab", "c"),
        fingerprint("a", "bc"),
        fingerprint("a\x00", "bc"),
        fingerprint("a", "\x00bc"),
        fingerprint("abc"),
        fingerprint("1"),
        fingerprint(1),
        fingerprint("'1'"),
        fingerprint(["1"]),
        fingerprint("é"),
        fingerprint("e\u0301"),
    }
    assert len(seen) == 11


def test_a_part_without_a_value_repr_makes_the_fingerprint_unique() -> None:
    part = object()
    assert fingerprint("body", part) != fingerprint("body", part)
    # A page whose text merely mentions such a repr is no different from any other.
    assert fingerprint("see <object object at 0x7f>") == fingerprint("see <object object at 0x7f>")
