"""Committee HTML from an executed notebook, in-process: no code, no prompts, no stderr, offline.

Uses nbconvert's HTMLExporter with the template in ``templates/boligdata`` (a lean page with
the report's own styles and print rules, no script), drops the parameter cells, stderr streams
and error outputs, removes the Markdown headings' anchor marks, and adds a table of contents
built from the headings.
"""

from __future__ import annotations

import html
import re
import threading
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter, TemplateExporter
from nbconvert.filters import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from traitlets.config import Config

TEMPLATES = Path(__file__).resolve().parent / "templates"
REMOVED_TAGS = {"parameters", "injected-parameters", "remove_cell"}


class DropNoise(Preprocessor):
    """Remove stderr streams and error outputs: a committee never sees them."""

    def preprocess_cell(self, cell, resources, index):
        if cell.get("cell_type") == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                            and o.get("output_type") != "error"]
        return cell, resources


_LOCAL = threading.local()


def exporter() -> HTMLExporter:
    """The exporter, one per thread (the batch's workers export in their own threads)."""
    if getattr(_LOCAL, "exporter", None) is None:
        _LOCAL.exporter = _new_exporter()
    return _LOCAL.exporter


class CommitteeHTMLExporter(HTMLExporter):
    """nbconvert's HTML exporter without its closing BeautifulSoup pass, which gives images
    without an alt text a placeholder and makes JupyterLab's cell wrappers focusable. The
    committee template has neither (every chart is inline SVG with its own text, there are no
    JupyterLab classes), and parsing and re-serialising the page was four fifths of the export's
    time (docs/performance.md)."""

    def from_notebook_node(self, nb, resources=None, **kw):
        lexer = nb.metadata.get("language_info", {}).get("pygments_lexer")
        self.register_filter("highlight_code", self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


def _new_exporter() -> HTMLExporter:
    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = REMOVED_TAGS
    config.TagRemovePreprocessor.enabled = True
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
    config.HTMLExporter.template_name = "boligdata"
    config.HTMLExporter.language_code = "da"
    config.HTMLExporter.embed_images = True
    # Validate the notebook once, after all the preprocessors, not after each of the thirteen
    # (each relaxed validation walks every output: 60 ms of a report's 0,1 s; docs/performance.md).
    config.HTMLExporter.optimistic_validation = True
    instance = CommitteeHTMLExporter(config=config)
    instance.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    instance.register_preprocessor(DropNoise, enabled=True)
    return instance


_HEADING = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link" href="#[^"]*">(?:¶|&#182;)</a>')
_HEADING_TEXT = re.compile(r"(<h[1-6][^>]*>)(.*?)(</h[1-6]>)", re.S)
_CHAR_REF = re.compile(r"&#(\d+);")


def _plain_letters(match: re.Match) -> str:
    """A heading's text with its numeric character references written as the letters they are
    (nbconvert's heading anchors write "å" as "&#229;"); markup characters stay escaped."""
    text = _CHAR_REF.sub(lambda ref: ref[0] if chr(int(ref[1])) in "<>&\"'" else chr(int(ref[1])), match[2])
    return match[1] + text + match[3]


def add_toc(body: str) -> str:
    """Fill the report's ``<!-- toc -->`` slot with links to every level-2 heading."""
    entries = []
    for anchor_id, inner in _HEADING.findall(body):
        text = re.sub(r"<a class=\"anchor-link\".*?</a>", "", inner, flags=re.S)
        text = html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
        entries.append(f'<li><a href="#{html.escape(anchor_id)}">{html.escape(text)}</a></li>')
    toc = "<strong>Indhold</strong><ol>" + "".join(entries) + "</ol>" if entries else ""
    return body.replace("<!-- toc -->", toc, 1)


def notebook_to_html(notebook, title: str) -> str:
    """The committee HTML of an executed notebook (a NotebookNode or a path)."""
    if not isinstance(notebook, nbformat.NotebookNode):
        notebook = nbformat.read(str(notebook), as_version=4)
    notebook = nbformat.from_dict(notebook)
    notebook.metadata["title"] = title
    body, _ = exporter().from_notebook_node(notebook)
    return add_toc(_HEADING_TEXT.sub(_plain_letters, _ANCHOR_LINK.sub("", body)))
