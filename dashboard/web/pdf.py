"""HTML to PDF with headless Chromium (the system's, as kaleido uses it): one process per document, no network.

Chromium prints the page as a browser would (CSS @page sets the paper), with charts as vector graphics and
text a PDF reader can search and copy.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 60


class PdfUnavailable(RuntimeError):
    """The PDF could not be made (no Chromium, or it failed); the message says why in words."""


def html_to_pdf(document: str, *, chromium: str = "chromium", timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The PDF Chromium prints of an HTML document (its scripts run first: charts are drawn)."""
    browser = shutil.which(chromium)
    if browser is None:
        raise PdfUnavailable(
            f"PDF briefings need Chromium, and '{chromium}' was not found: install it (make browsers) "
            "or set CHROMIUM to its path."
        )
    with tempfile.TemporaryDirectory(prefix="ogp-briefing-") as folder:
        page, pdf = Path(folder) / "briefing.html", Path(folder) / "briefing.pdf"
        page.write_text(document, encoding="utf-8")
        command = [
            browser,
            "--headless=new",
            "--no-sandbox",  # as root in containers; the page is ours and loads nothing from outside
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-extensions",
            "--disable-background-networking",
            "--no-first-run",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=10000",  # lets the charts' scripts finish before printing
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ]
        try:
            finished = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfUnavailable(f"Chromium did not finish the PDF within {timeout:.0f} s.") from exc
        if finished.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
            detail = (finished.stderr or "").strip().splitlines()[-1:] or ["no output"]
            raise PdfUnavailable(f"Chromium could not print the briefing (exit {finished.returncode}): {detail[0]}")
        return pdf.read_bytes()
