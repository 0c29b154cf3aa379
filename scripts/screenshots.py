"""Screenshots of the example site for the README: the dashboard and one postmortem.

Builds the site (`mkdocs build --strict`) into a temporary folder, serves it on a
local port, and captures both pages with Playwright in headless Chromium:

    python scripts/screenshots.py [--config-file mkdocs.yml] [--out screenshots]
                                  [--postmortem ID] [--chromium /usr/bin/chromium]

Without --postmortem, the newest final postmortem with action items and runbooks is
shown, since it exercises most of the page. PMKB_TODAY is honoured like in any build.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

WIDTH = 1280
MAX_HEIGHT = 1600
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


def build(config_file: Path, site_dir: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config_file), "-d", str(site_dir)],
        check=True,
        env=env,
    )


def pick_postmortem(site_dir: Path) -> str:
    data = json.loads((site_dir / "kb.json").read_text(encoding="utf-8"))
    postmortems = data["postmortems"]
    for item in postmortems:
        if item["status"] == "final" and item["action_items"] and item["runbooks"]:
            return str(item["id"])
    if not postmortems:
        raise SystemExit("the knowledge base has no postmortems to show")
    return str(postmortems[0]["id"])


def page_path(site_dir: Path, pm_id: str) -> str:
    data = json.loads((site_dir / "kb.json").read_text(encoding="utf-8"))
    for item in data["postmortems"]:
        if item["id"] == pm_id:
            # kb.json holds root-relative or absolute URLs; the local server serves the site at its root.
            url = str(item["url"])
            return "/" + url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url
    raise SystemExit(f"no postmortem with id {pm_id!r}")


def capture(base: str, pages: dict[str, str], out: Path, chromium: str, scheme: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": WIDTH, "height": 900}, color_scheme=scheme)
            page = context.new_page()
            for name, path in pages.items():
                page.goto(base + path, wait_until="networkidle")
                height = min(MAX_HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
                page.set_viewport_size({"width": WIDTH, "height": height})
                target = out / f"{name}.png"
                page.screenshot(path=str(target), full_page=False)
                print(target)
                page.set_viewport_size({"width": WIDTH, "height": 900})
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config-file", type=Path, default=Path("mkdocs.yml"))
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--postmortem", help="id of the postmortem to capture")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="Chromium executable")
    parser.add_argument("--scheme", choices=["light", "dark"], default="light")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pmkb-shots-") as folder:
        site_dir = Path(folder) / "site"
        build(args.config_file.resolve(), site_dir)
        pm_id = args.postmortem or pick_postmortem(site_dir)
        handler = functools.partial(_QuietHandler, directory=str(site_dir))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            base = f"http://127.0.0.1:{server.server_address[1]}"
            capture(
                base, {"dashboard": "/", "postmortem": page_path(site_dir, pm_id)}, args.out, args.chromium, args.scheme
            )
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main()
