"""A PDF for the agenda, printed from the committee HTML by headless Chromium (Debian's package).

The page comes from the HTML's print rules (A4 portrait, landscape for a page whose table is
wide); the running footer names the report and the quarter in words and counts "side X af Y";
there is no browser header, URL or file path. The PDF is tagged (for screen readers), has an
outline from the headings, its title in the metadata and Danish as its language. One browser
serves many reports (``PdfPrinter`` is a context manager; the batch keeps one per worker).
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from ..errors import BoligdataError
from ..ingest import atomic_write

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags for a closed network and no display (the machines this runs on): no background traffic.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FOOTER_STYLE = "font-family: Helvetica, Arial, sans-serif; font-size: 8px; color: #444; width: 100%; padding: 0 14mm;"


class PdfEngineMissing(BoligdataError):
    """No Chromium to print with: the HTML is written, the PDF is not."""

    exit_code = 1


class PrintFailed(BoligdataError):
    """The browser failed to print a page (it crashed, timed out, lost its connection): the
    report fails (exit 1), unlike a PDF that cannot be written (a full disk: exit 4)."""

    exit_code = 1


def chromium_path() -> str | None:
    """The Chromium the PDFs are printed with (Debian's ``chromium``), or None."""
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def missing_engine_message() -> str:
    return ("no PDF written: Chromium was not found. Install Debian's package (sudo apt-get install chromium), "
            "or run 'make report', which installs it where it can; the HTML is written")


def footer_template(title: str, quarter_da: str) -> str:
    """The running footer: the report's title, the quarter in words, and "side X af Y"."""
    return (f'<div style="{FOOTER_STYLE}"><span style="float: left;">{html.escape(title)} · {html.escape(quarter_da)}'
            f'</span><span style="float: right;">side <span class="pageNumber"></span> af '
            f'<span class="totalPages"></span></span></div>')


def start_printer() -> tuple["PdfPrinter | None", str]:
    """A started printer, or None and the one line that says why there is none (no Chromium, no
    Playwright): the HTML is written either way. The caller closes the printer
    (``printer.__exit__``)."""
    try:
        return PdfPrinter().__enter__(), ""
    except PdfEngineMissing as exc:
        return None, str(exc)


class PdfPrinter:
    """One headless Chromium for many PDFs.

    >>> with PdfPrinter() as printer:            # doctest: +SKIP
    ...     printer.print(Path("kvartalsrapport.html"), title="Kvartalsrapport", quarter_da="3. kvartal 2020")
    """

    def __init__(self):
        self._playwright = None
        self._browser = None

    def __enter__(self) -> "PdfPrinter":
        from ..extras import MissingExtra, require

        executable = chromium_path()
        if executable is None:
            raise PdfEngineMissing(missing_engine_message())
        try:
            sync_playwright = require("playwright.sync_api", "pdf").sync_playwright
        except MissingExtra as exc:
            raise PdfEngineMissing(f"no PDF written: {exc}; the HTML is written") from None

        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as exc:  # a broken Chromium is a missing engine to the user, not a crash
            self._playwright.stop()
            raise PdfEngineMissing(f"no PDF written: Chromium did not start ({type(exc).__name__}); the HTML is "
                                   f"written") from None
        return self

    def __exit__(self, *exc) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()

    def print(self, html_path: Path, pdf_path: Path | None = None, *, title: str, quarter_da: str) -> Path:
        """Print ``html_path`` to ``pdf_path`` (beside it by default), atomically."""
        pdf_path = pdf_path or html_path.with_suffix(".pdf")
        try:
            page = self._browser.new_page()
            try:
                page.goto(html_path.resolve().as_uri(), wait_until="load")
                data = page.pdf(format="A4", prefer_css_page_size=True, print_background=True, tagged=True,
                                outline=True, display_header_footer=True, header_template="<span></span>",
                                footer_template=footer_template(title, quarter_da))
            finally:
                page.close()
        except Exception as exc:  # Playwright's errors, and a lost driver's pipe (an OSError, but not a write)
            raise PrintFailed(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None
        atomic_write(pdf_path, data)  # a full disk here is an OSError: exit 4, as any file not written
        return pdf_path

    def alive(self) -> bool:
        """Whether the browser still runs (after a crash the next report starts another)."""
        try:
            return self._browser is not None and self._browser.is_connected()
        except Exception:
            return False
