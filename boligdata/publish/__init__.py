"""Publishing: running report notebooks with papermill and exporting committee HTML."""

import sys

# nbformat validates notebooks with jsonschema, whose format checkers import rfc3987_syntax when
# it is installed (jupyter pulls it in); that import builds a grammar and takes 0,85 s in every
# process (measured with python -X importtime). Notebook validation uses no IRI format check, so
# the optional module is marked absent before jsonschema looks for it.
sys.modules.setdefault("rfc3987_syntax", None)
