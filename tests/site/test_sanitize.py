"""`html: sanitize` strips active content from document bodies; the default keeps raw HTML."""

from __future__ import annotations

import re

import pytest
from kb_helpers import GOOD_POSTMORTEM, GOOD_RUNBOOK, MKDOCS_YML

HOSTILE_BODY = """

<script>alert("script")</script>

<p onclick="alert('handler')" class="note">Click me</p>

<img src="x" onerror="alert('img')">

[a javascript link](javascript:alert('link'))

<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">a data link</a>

<iframe src="https://evil.example/"></iframe>

<svg onload="alert('svg')"></svg>

[a relative link](../other/) and [a web link](https://example.com/runbook)

```python
print("highlighted")
```
"""

PM_ID = "2024-03-05-checkout"


def _files() -> dict[str, str | bytes]:
    text = GOOD_POSTMORTEM.replace("## What Went Well\n", "## What Went Well\n" + HOSTILE_BODY)
    return {f"postmortems/{PM_ID}.md": text, "runbooks/db-pool.md": GOOD_RUNBOOK}


SANITIZE_YML = MKDOCS_YML.replace("  - pmkb\n", "  - pmkb:\n      html: sanitize\n")
ACTIVE = [
    r"<script>alert",
    r"onclick=",
    r"onerror=",
    r"onload=",
    r"href=\"javascript:",
    r"href=\"data:",
    r"<iframe",
]


@pytest.fixture(scope="module")
def sanitized(build_shared):
    return build_shared("sanitized", _files(), SANITIZE_YML)


@pytest.fixture(scope="module")
def raw(build_shared):
    return build_shared("raw-html", _files(), MKDOCS_YML)


def test_sanitized_body_has_no_active_content(sanitized):
    content = sanitized.page(f"postmortems/{PM_ID}/").content
    for pattern in ACTIVE:
        assert not re.search(pattern, content, re.IGNORECASE), pattern
    assert "Click me" in content and 'class="note"' in content


def test_sanitized_body_keeps_ordinary_markup(sanitized):
    page = sanitized.page(f"postmortems/{PM_ID}/")
    assert "https://example.com/runbook" in page.hrefs()
    assert 'class="highlight"' in page.content or "<code" in page.content
    # Heading anchors survive, so the table of contents still works.
    assert "what-went-well" in page.ids
    assert sanitized.warnings() == []


def test_search_index_of_a_sanitized_site_has_no_script(sanitized):
    for doc in sanitized.search_docs():
        assert "<script>alert" not in doc["text"]


def test_raw_is_the_default_and_keeps_raw_html(raw):
    content = raw.page(f"postmortems/{PM_ID}/").content
    assert "<script>alert" in content and "onclick=" in content


def test_unknown_html_setting_is_a_configuration_error(build_kb, build_failed):
    with pytest.raises(build_failed) as failure:
        build_kb(_files(), MKDOCS_YML.replace("  - pmkb\n", "  - pmkb:\n      html: clean\n"))
    assert any("option 'html'" in record.getMessage() for record in failure.value.records)
