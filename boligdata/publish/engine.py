"""papermill's engine ``boligdata``: a report's cells run in an IPython shell of the process
that runs papermill (``inprocess.InProcessSession``), under papermill's own execution manager.

Registered by the package's entry point (``papermill.engine``), so
``papermill.execute_notebook(..., engine_name="boligdata")`` and ``papermill --engine boligdata``
use it; ``register_engine`` registers it where the package is only imported. The notebook gets
papermill's metadata (parameters, start and end times, duration, per-cell status, exception) from
papermill's ``NotebookExecutionManager``, exactly as with papermill's default engine; the cells are
run by ``inprocess.InProcessSession``: the batch's worker processes (``worker.py``) give theirs,
kept for all their reports; without one, the process's shell is used.

papermill loads its engines' entry points while it is imported, so this module imports papermill
only inside its methods (importing it here would import this module again, half made). papermill
calls an engine's class methods ``execute_notebook``, ``nb_kernel_name`` and ``nb_language``; they
are papermill's own ``Engine`` methods.

>>> import nbformat
>>> InProcessEngine.nb_kernel_name(nbformat.from_dict({"metadata": {"kernelspec": {"name": "python3"}}}))
'python3'
"""

from __future__ import annotations


class InProcessEngine:
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
                                 on_cell=None, **kwargs):
        """Run the managed notebook's cells in ``session`` (the batch worker's), or in an IPython
        shell of this process. ``published_as`` is where the notebook will be published
        (papermill's ``output_path`` in its metadata, instead of the staging file it is written to
        first); ``on_cell`` is told each cell's index before it runs, and None after the last."""
        from .inprocess import InProcessSession

        if published_as is not None:
            nb_man.nb.metadata.papermill["output_path"] = published_as
        (session or InProcessSession()).execute_managed(nb_man, timeout=execution_timeout, on_cell=on_cell)


def register_engine() -> None:
    """Register ``InProcessEngine`` with papermill by name."""
    from papermill.engines import papermill_engines

    papermill_engines.register("boligdata", InProcessEngine)
