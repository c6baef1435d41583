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
from nbconvert import HTMLExporter
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
    instance = HTMLExporter(config=config)
    instance.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    instance.register_preprocessor(DropNoise, enabled=True)
    return instance


_HEADING = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link" href="#[^"]*">¶</a>')


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
    return add_toc(_ANCHOR_LINK.sub("", body))
