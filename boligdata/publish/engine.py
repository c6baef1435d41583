"""papermill's engine ``boligdata``: a report's cells run in a warm kernel, under papermill's own
execution manager.

Registered by the package's entry point (``papermill.engine``), so
``papermill.execute_notebook(..., engine_name="boligdata")`` and ``papermill --engine boligdata``
use it; ``register_engine`` registers it where the package is only imported. The notebook gets
papermill's metadata (parameters, start and end times, duration, per-cell status, exception) from
papermill's ``NotebookExecutionManager``, exactly as with papermill's default engine; the cells are
run by ``executor.KernelSession``. Given ``session`` (a warm session, as the batch's workers give),
it runs there; without one it starts a kernel for the notebook and stops it after.

papermill loads its engines' entry points while it is imported, so this module imports papermill
only inside its methods (importing it here would import this module again, half made). papermill
calls an engine's class methods ``execute_notebook``, ``nb_kernel_name`` and ``nb_language``; they
are papermill's own ``Engine`` methods.

>>> import nbformat
>>> WarmEngine.nb_kernel_name(nbformat.from_dict({"metadata": {"kernelspec": {"name": "python3"}}}))
'python3'
"""

from __future__ import annotations

import shutil
from pathlib import Path


class WarmEngine:
    """The engine (a class, as papermill's engines are)."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, **kwargs):
        from papermill.engines import Engine

        return Engine.execute_notebook.__func__(cls, nb, kernel_name, **kwargs)

    @classmethod
    def nb_kernel_name(cls, nb, name=None):
        from papermill.utils import nb_kernel_name

        return nb_kernel_name(nb, name)

    @classmethod
    def nb_language(cls, nb, language=None):
        from papermill.utils import nb_language

        return nb_language(nb, language)

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, session=None, execution_timeout=None, published_as=None,
                                 **kwargs):
        """Run the managed notebook's cells in ``session``, or in a kernel of its own.
        ``published_as`` is where the notebook will be published (papermill's ``output_path`` in
        its metadata, instead of the staging file it is written to first)."""
        from .executor import KernelSession

        if published_as is not None:
            nb_man.nb.metadata.papermill["output_path"] = published_as
        own = session is None
        if own:
            import tempfile

            session = KernelSession(Path(tempfile.mkdtemp(prefix="bd-kernel-")))
            session.boot()
        try:
            session.execute_managed(nb_man, timeout=execution_timeout)
        finally:
            if own:
                session.close()
                shutil.rmtree(session.folder, ignore_errors=True)


def register_engine() -> None:
    """Register ``WarmEngine`` with papermill by name."""
    from papermill.engines import papermill_engines

    papermill_engines.register("boligdata", WarmEngine)
