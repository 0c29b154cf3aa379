"""The preview under `mkdocs serve`: knowledge-base findings never stop the site.

`mkdocs build` fails on knowledge-base errors. Under `mkdocs serve` a failed rebuild
would leave MkDocs' server waiting for a build that never comes: every request hangs.
So while serving (MkDocs tells plugins through `on_startup(command="serve")`), the
findings are listed in the terminal and shown on the site instead:

- every page of a file with findings starts with a banner listing them;
- `/problems/` lists every finding, by file, with a link to each file's page;
- a document that fails validation still gets a page at its id's URL (its body and
  its findings) when its id is valid and not taken, and `/problems/` says why not
  otherwise; the lists, indexes and kb.json leave it out until it is valid.
"""

from __future__ import annotations

import logging
from typing import Any

from markupsafe import Markup
from mkdocs.structure.files import File

from pmkb.findings import Finding
from pmkb.index import KnowledgeBase, SlugMap
from pmkb.model import ID_PATTERN
from pmkb.site.pages import PageKey, PageSpec, value_uri
from pmkb.site.render import Renderer
from pmkb.site.view_models import FileProblems
from pmkb.validation import Entry

PROBLEMS: PageKey = ("problems", "")
PROBLEMS_URI = "problems.md"
PROBLEMS_TITLE = "Problems"
# The templates only the preview renders, and what each is given (see the README's Template API).
PROBLEMS_TEMPLATE = "problems.html"
BANNER_TEMPLATE = "problems_banner.html"
INVALID_TEMPLATE = "invalid_document.html"
_FOLDERS = {"postmortem": "postmortems", "runbook": "runbooks"}


def log_errors(
    errors: list[Finding],
    log: logging.Logger | logging.LoggerAdapter[Any],
    *,
    strict: bool,
) -> None:
    """List the errors in the terminal, as a failed build would, without failing this one.

    Under `mkdocs serve --strict` MkDocs aborts on any logged warning or error, which
    would freeze the preview; the listing then goes out at INFO level.
    """
    listing = "\n".join(item.as_text() for item in errors)
    noun = "error" if len(errors) == 1 else "errors"
    message = (
        f"the knowledge base has {len(errors)} {noun} (`mkdocs build` fails on them; "
        f"the preview shows them on their pages and on /problems/):\n{listing}"
    )
    (log.info if strict else log.error)(message)


class Preview:
    """Pages and banners that show knowledge-base findings in `mkdocs serve`."""

    def __init__(self, kb: KnowledgeBase, findings: list[Finding], renderer: Renderer) -> None:
        self.kb = kb
        self.renderer = renderer
        self._invalid: dict[str, PageSpec] = {}  # src_uri -> page of a document that is not valid yet
        self.files = self._group(findings)
        self._by_page = {problems.page: problems for problems in self.files if problems.page is not None}
        self.errors = sum(problems.errors for problems in self.files)
        self.warnings = sum(problems.warnings for problems in self.files)

    def _group(self, findings: list[Finding]) -> list[FileProblems]:
        by_path: dict[str, list[Finding]] = {}
        for item in findings:
            by_path.setdefault(item.path, []).append(item)
        anchors = SlugMap(by_path)
        claimed: dict[PageKey, str] = {key: source.relpath for key, source in self.kb.sources.items()}
        files: list[FileProblems] = []
        for entry in self.kb.entries:
            key: PageKey = (entry.kind, entry.id)
            owner = claimed.get(key)
            page: PageKey | None = None
            no_page = ""
            if owner == entry.path:
                page = key
            elif owner is not None:
                no_page = f"{owner} has the same id ({entry.id!r}) and the page"
            elif not ID_PATTERN.match(entry.id):
                no_page = f"{entry.id!r} is not a valid id, so there is no address for a page"
            else:
                # Not valid yet: the page shows the body as written, with the findings above it.
                page = key
                claimed[key] = entry.path
                self._add_invalid(entry)
            if entry.path in by_path:
                items = tuple(
                    sorted(
                        by_path[entry.path],
                        key=lambda f: (f.level != "error", f.line, f.code),
                    )
                )
                files.append(
                    FileProblems(
                        entry.path,
                        items,
                        page,
                        no_page,
                        "problems-" + anchors[entry.path],
                    )
                )
        return sorted(files, key=lambda problems: (-problems.errors, problems.path))

    def _add_invalid(self, entry: Entry) -> None:
        source = entry.source
        title = source.data.get("title") if source.data is not None else None
        spec = PageSpec(
            key=(entry.kind, entry.id),
            src_uri=value_uri(_FOLDERS[entry.kind], entry.id),
            title=title if isinstance(title, str) and title.strip() else entry.id,
            template=INVALID_TEMPLATE,
            search={"exclude": True},
            body=source.body if source.text else "",
            origin=source.path.resolve(),
        )
        self._invalid[spec.src_uri] = spec

    # Pages ---------------------------------------------------------------------------

    def specs(self) -> list[PageSpec]:
        """The pages only the preview has: invalid documents, then /problems/."""
        problems = PageSpec(
            key=PROBLEMS,
            src_uri=PROBLEMS_URI,
            title=PROBLEMS_TITLE,
            template=PROBLEMS_TEMPLATE,
            search={"exclude": True},
        )
        return [*self._invalid.values(), problems]

    def owns(self, spec: PageSpec) -> bool:
        return spec.key == PROBLEMS or spec.src_uri in self._invalid

    def page_names(self, spec: PageSpec, body: Markup) -> dict[str, Any]:
        """What the template of one of the preview's own pages gets besides the common names."""
        if spec.key == PROBLEMS:
            return {
                "files": self.files,
                "errors": self.errors,
                "warnings": self.warnings,
            }
        return {
            "kind": spec.kind,
            "id": spec.subject,
            "title": spec.title,
            "body": body,
        }

    def banner_names(self, spec: PageSpec) -> dict[str, Any] | None:
        """What the banner template gets on this page, or None when the page has no banner."""
        if spec.kind == "dashboard":
            if not self.files:
                return None
            return {"problems": None, "errors": self.errors, "warnings": self.warnings}
        problems = self._by_page.get(spec.key)
        if problems is None:
            return None
        return {
            "problems": problems,
            "errors": problems.errors,
            "warnings": problems.warnings,
        }

    def render(self, spec: PageSpec, file: File, body: Markup) -> str:
        names = self.page_names(spec, body)
        return self.renderer.render_template(spec.template, file, {**self.renderer.common(file), **names})

    def with_banner(self, spec: PageSpec, file: File, content: str) -> str:
        """`content` with the findings of the page's file above it; the dashboard gets a summary."""
        names = self.banner_names(spec)
        if names is None:
            return content
        return self.renderer.render_template(BANNER_TEMPLATE, file, {**self.renderer.common(file), **names}) + content
