"""Rebuild docs/report.png: the report of the shipped example, as headless Chromium shows it.

Not run by CI. Usage: python bench/screenshot_report.py [out.png]
Needs Debian's chromium (/usr/bin/chromium) and playwright.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from matcher.cli import app

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def main() -> None:
    """Match the example, write its report and screenshot the national summary and map."""
    from playwright.sync_api import sync_playwright

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "report.png"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        runner = CliRunner()
        for args in (
            ["match", str(ROOT / "examples" / "morocco"), "--out", str(out)],
            ["report", str(out)],
        ):
            result = runner.invoke(app, args, env={"COLUMNS": "120"})
            assert result.exit_code == 0, result.output
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 1000})
            page.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
            )
            page.goto((out / "report.html").as_uri())
            top = page.locator("header").bounding_box()
            summary = page.locator("#summary .overview").bounding_box()
            assert top is not None and summary is not None
            page.screenshot(
                path=str(target),
                full_page=True,
                clip={"x": 0, "y": 0, "width": 1200, "height": summary["y"] + 700},
            )
            browser.close()
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
