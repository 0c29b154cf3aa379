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
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from markupsafe import Markup
from mkdocs.structure.files import File

from pmkb.findings import Finding
from pmkb.index import KnowledgeBase, SlugMap
from pmkb.model import ID_PATTERN
from pmkb.site.links import Links
from pmkb.site.pages import PageKey, PageSpec, value_uri
from pmkb.validation import Entry

PROBLEMS: PageKey = ("problems", "")
PROBLEMS_URI = "problems.md"
PROBLEMS_TITLE = "Problems"
_FOLDERS = {"postmortem": "postmortems", "runbook": "runbooks"}


@dataclass(frozen=True)
class FileProblems:
    """The findings of one file and where the preview shows them."""

    path: str  # relative to mkdocs.yml, as in `pmkb check`
    findings: tuple[Finding, ...]
    page: PageKey | None  # the page showing this file, if it has one
    no_page: str  # why it has none; empty when it has one
    anchor: str  # its heading's id on /problems/

    @property
    def errors(self) -> int:
        return sum(1 for item in self.findings if item.level == "error")

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' * (number != 1)}"


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
    message = (
        f"the knowledge base has {count(len(errors), 'error')} (`mkdocs build` fails on them; "
        f"the preview shows them on their pages and on /problems/):\n{listing}"
    )
    (log.info if strict else log.error)(message)


class Preview:
    """Pages and banners that show knowledge-base findings in `mkdocs serve`."""

    def __init__(
        self, kb: KnowledgeBase, findings: list[Finding], links: Links, env: Environment
    ) -> None:
        self.kb = kb
        self.links = links
        self.env = env
        self._invalid: dict[
            str, tuple[PageSpec, str]
        ] = {}  # src_uri -> (spec, kind label)
        self.files = self._group(findings)
        self._by_page = {
            problems.page: problems
            for problems in self.files
            if problems.page is not None
        }

    def _group(self, findings: list[Finding]) -> list[FileProblems]:
        by_path: dict[str, list[Finding]] = {}
        for item in findings:
            by_path.setdefault(item.path, []).append(item)
        anchors = SlugMap(by_path)
        claimed: dict[PageKey, str] = {
            key: source.relpath for key, source in self.kb.sources.items()
        }
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
                no_page = (
                    f"{entry.id!r} is not a valid id, so there is no address for a page"
                )
            else:
                # Not valid yet: the page shows the body as written, with the findings above it.
                page = key
                claimed[key] = entry.path
                self._add_invalid(entry.kind, entry.id, entry)
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

    def _add_invalid(self, kind: str, doc_id: str, entry: Entry) -> None:
        source = entry.source
        title = source.data.get("title") if source.data is not None else None
        spec = PageSpec(
            key=(kind, doc_id),
            src_uri=value_uri(_FOLDERS[kind], doc_id),
            title=title if isinstance(title, str) and title.strip() else doc_id,
            template="invalid_document.html",
            search={"exclude": True},
            body=source.body if source.text else "",
            origin=source.path.resolve(),
        )
        self._invalid[spec.src_uri] = (spec, kind)

    # Pages ---------------------------------------------------------------------------

    def specs(self) -> list[PageSpec]:
        """The pages only the preview has: invalid documents, then /problems/."""
        problems = PageSpec(
            key=PROBLEMS,
            src_uri=PROBLEMS_URI,
            title=PROBLEMS_TITLE,
            template="problems.html",
            in_nav=True,
            search={"exclude": True},
        )
        return [spec for spec, _ in self._invalid.values()] + [problems]

    def owns(self, spec: PageSpec) -> bool:
        return spec.key == PROBLEMS or spec.src_uri in self._invalid

    def render(self, spec: PageSpec, file: File, body: Markup) -> str:
        if spec.key == PROBLEMS:
            errors = sum(problems.errors for problems in self.files)
            return self._render(
                "problems.html",
                file,
                files=self.files,
                errors=errors,
                warnings=sum(p.warnings for p in self.files),
            )
        _, kind = self._invalid[spec.src_uri]
        return self._render(
            "invalid_document.html",
            file,
            kind=kind,
            id=spec.subject,
            title=spec.title,
            body=body,
        )

    def with_banner(self, spec: PageSpec, file: File, content: str) -> str:
        """`content` with the findings of the page's file above it; the dashboard gets a summary."""
        if spec.kind == "dashboard":
            if not self.files:
                return content
            errors = sum(problems.errors for problems in self.files)
            warnings = sum(problems.warnings for problems in self.files)
            banner = self._render(
                "problems_banner.html",
                file,
                problems=None,
                errors=errors,
                warnings=warnings,
            )
            return banner + content
        problems = self._by_page.get(spec.key)
        if problems is None:
            return content
        banner = self._render(
            "problems_banner.html",
            file,
            problems=problems,
            errors=problems.errors,
            warnings=problems.warnings,
        )
        return banner + content

    def _render(self, template: str, file: File, **context: Any) -> str:
        def url(kind: str, subject: str = "", fragment: str = "") -> str:
            return self.links.url(file, kind, subject, fragment)

        return self.env.get_template(template).render(url=url, count=count, **context)
