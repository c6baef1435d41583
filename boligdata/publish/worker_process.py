"""The batch's worker processes, seen from the batch: start one, hand it jobs, notice its death.

A worker process (``worker.py``) builds whole reports in itself. The batch (``WorkerProcess``, one
per worker thread of ``batch.KernelPool``) talks to it over a Unix socket in a private folder
named by its owner (``ipc.socket_folder``; a later run removes it if this one is killed): it sends
a job and receives a message as each cell starts and the result at the end. On POSIX the process
is forked by the zygote (``zygote.Zygote``), which has imported the report modules and has one
thread; elsewhere it is started as ``python -m boligdata.publish.worker``. Either way its parent
stops it: the zygote, which reaps its children itself, or the batch through its ``Popen``; never
a bare process id.

The batch notices at once a worker that dies (its socket closes; the parent says how it ended)
and fails that report with the reason (``batch.Worker`` keeps a notebook for it); a worker that
stays silent longer than a cell's time limit and the grace after it is ended by its parent.

>>> describe({"result": {}}), describe(None)
('result', 'NoneType')
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from multiprocessing.connection import Connection

from ..errors import BoligdataError
from .ipc import socket_folder
from .settings import timeouts
from .zygote import SINGLE_THREADED, ZygoteFailed, describe_end

# How often a wait for a worker process checks that it still lives (nbclient polls its kernel once
# a second as well): one that dies mid-report is noticed within this, not at the cell's time limit.
LIVENESS_POLL = 1.0


class WorkerFailed(BoligdataError):
    """The worker process died, or stopped answering; the batch starts another."""

    exit_code = 1


def describe(message) -> str:
    """A message's kind, for an error that names what came instead of what was expected."""
    return next(iter(message)) if isinstance(message, dict) and message else type(message).__name__


class WorkerProcess:
    """One worker process, seen from the batch (one thread uses it at a time).

    ``start`` launches the process (forked by ``zygote``, else started) and waits until it has
    connected; ``load`` has it read the workspace; ``build`` has it build and publish one report
    and returns the result row.
    """

    def __init__(self, zygote=None, preload: str = "pass"):
        self.zygote, self.preload = zygote, preload
        self.sockets = socket_folder()
        self.address = str(self.sockets / "w")
        self.pid = self.process = self.conn = None
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.address)
        self.listener.listen(1)
        self.listener.settimeout(LIVENESS_POLL)

    def start(self) -> None:
        """Launch the process and wait until it is connected (``timeouts.worker_start``)."""
        try:
            self._launch()
            deadline = time.monotonic() + timeouts().worker_start
            while self.conn is None:
                try:
                    connected, _ = self.listener.accept()
                except TimeoutError:
                    if (ended := self.ended()) is not None:
                        raise WorkerFailed(f"the worker process ended before it started ({ended})") from None
                    if time.monotonic() > deadline:
                        raise WorkerFailed("the worker process did not start in time") from None
                    continue
                connected.settimeout(None)
                self.conn = Connection(connected.detach())
        except BaseException:
            self.close()
            raise
        finally:
            self.listener.close()

    def _launch(self) -> None:
        if self.zygote is not None:
            try:
                self.pid = self.zygote.spawn_worker(self.address, os.getcwd())
                return
            except ZygoteFailed:
                self.zygote = None  # started the ordinary way from now on
        self.process = subprocess.Popen([sys.executable, "-m", "boligdata.publish.worker", self.address, self.preload],
                                        stdin=subprocess.DEVNULL, env={**os.environ, **SINGLE_THREADED})

    def ended(self) -> str | None:
        """None while the process runs; else how it ended, as its parent saw it."""
        if self.zygote is not None and self.pid is not None:
            return self.zygote.ended(self.pid)
        if self.process is not None:
            code = self.process.poll()
            return None if code is None else describe_end(code)
        return "not started"

    def alive(self) -> bool:
        return self.conn is not None and self.ended() is None

    def load(self, root: str, quarter: str | None) -> None:
        """Have the worker read the workspace's tables and the quarter's snapshots."""
        self.conn.send({"load": root, "quarter": quarter})
        answer = self._receive(timeouts().preload)
        if answer.get("loaded") is not True:
            raise WorkerFailed(f"the worker could not read the workspace: {answer.get('loaded')}")

    def build(self, job, pdf: bool, on_cell=None) -> dict:
        """Build and publish ``job`` in the worker; its result row (``worker.result_row``). A worker
        that dies raises ``WorkerDied``, one that stops answering ``WorkerFailed``: the caller then
        stops it (``close``)."""
        try:
            self.conn.send({"job": job, "pdf": pdf})
        except OSError:
            raise WorkerDied(f"the worker process died ({self._how_it_ended()})") from None
        while True:
            answer = self._receive(timeouts().cell + timeouts().reply)
            if "cell" in answer:
                if on_cell is not None:
                    on_cell(answer["cell"])
                continue
            if "result" in answer:
                return answer["result"]
            raise WorkerFailed(f"the worker answered {describe(answer)!r} to a job")

    def _receive(self, patience: float) -> dict:
        """The worker's next message; checks every ``LIVENESS_POLL`` seconds that it still lives."""
        deadline = time.monotonic() + patience
        while True:
            try:
                if self.conn.poll(LIVENESS_POLL):
                    return self.conn.recv()
            except (EOFError, OSError):
                raise WorkerDied(f"the worker process died ({self._how_it_ended()})") from None
            if (ended := self.ended()) is not None:
                raise WorkerDied(f"the worker process died ({ended})")
            if time.monotonic() > deadline:  # the caller stops it (batch.Worker), as after a death
                raise WorkerFailed(f"the worker process did not answer within {patience:.0f} s and was stopped")

    def _how_it_ended(self) -> str:
        """How the process ended, once its parent has seen it end (a closed socket comes first)."""
        deadline = time.monotonic() + 2 * LIVENESS_POLL
        while (ended := self.ended()) is None and time.monotonic() < deadline:
            time.sleep(0.01)
        return ended or "its connection closed"

    def close(self) -> None:
        """Stop the process through its parent and remove its socket folder."""
        import shutil

        if self.conn is not None:
            try:
                self.conn.send({"exit": True})
            except OSError:
                pass
            self.conn.close()
            self.conn = None
        if self.zygote is not None and self.pid is not None:
            self.zygote.stop(self.pid)
        elif self.process is not None:
            try:
                self.process.wait(timeout=timeouts().reply)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.pid = self.process = None
        shutil.rmtree(self.sockets, ignore_errors=True)


class WorkerDied(WorkerFailed):
    """The worker process ended while it was building a report."""
