"""PMKB012 blame-language: find wording that pins an outcome on a person.

Blameless postmortems describe what the system allowed and what information was
missing; sentences such as "Bob forgot to run the migration" or "human error" teach
readers to look for a culprit instead. This package is a pure detector over one
Markdown file's text (front matter included); the rule in ``pmkb.rules.content``
turns each :class:`BlameHit` into a finding.

How it decides, in short:

* The text is masked (code blocks as the loader finds them, inline code, URLs, HTML
  tags and Markdown punctuation become spaces, so offsets never move) and cut into
  sentence-ish spans: paragraphs, list items, headings, table cells and front matter
  entries, then sentences within them.
* Some wording is blame whoever it is about ("human error", "careless").
* Most verbs are blame only when aimed at a person: "the check failed to run" is a
  fact about a system, "the on-call failed to escalate" pins it on a person. The
  word right before the verb is the subject's head; it counts as a person when it
  is an @handle, a pronoun, a role noun, or a capitalised name that is not a known
  system or common English word.
* Admissions such as "nobody is to blame" or "this was not human error" are
  recognised by a negation just before the blaming word.

The parts, each readable alone: ``vocabulary`` (people, roles, systems, negations),
``text`` (masking and sentence splitting), ``people`` (is this word a person? is it
negated?), ``rules`` (the patterns), ``hints`` (the pattern's name and a rewording
built from the sentence) and ``engine`` (``find_blame`` and its early exits).

Lines are separated by ``"\\n"`` (a ``"\\r"`` before it is kept as part of the line);
columns count characters, both 1-based.
"""

from pmkb.rules.blame.engine import BlameHit, BlamePhrases, find_blame

__all__ = ["BlameHit", "BlamePhrases", "find_blame"]
