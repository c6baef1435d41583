"""The batch worker processes' common parent: one process that imports what every report needs,
once, and forks each worker process from itself, so a worker starts with the report modules and
the rules already in memory instead of importing them again (POSIX only; docs/performance.md).

The batch starts it with ``Zygote(preload)``; ``Zygote.spawn_worker`` forks a worker
(``worker.serve``) that connects to the batch's socket and returns its process id;
``Zygote.ended`` says whether a worker still runs and ``Zygote.stop`` stops one. The zygote is
the workers' parent and reaps them itself, so a worker's process id stays its own until the
zygote has seen it end: no process is ever signalled by an id that may belong to another. The
zygote process reads one JSON request per line on standard input and answers with one line on
standard output. It exits when its standard input closes (the batch has ended, or was killed),
and on Linux each worker is killed by the system when the zygote is gone (``PR_SET_PDEATHSIG``);
elsewhere a worker ends when its socket to the batch closes. Nothing outlives a batch that was
killed.

Forking is safe only from a process with one thread (another thread may hold a lock the child
then never sees released; Python 3.12 warns about it). The zygote imports the report modules and
nothing else, with the libraries' thread pools kept from starting (``SINGLE_THREADED``), and it
checks before every fork that it has one thread: if not, it refuses, and the batch starts its
workers the ordinary way. The workers read the workspace themselves (reading parquet starts
Arrow's thread pools) after they are forked.

>>> Zygote.available() == hasattr(__import__("os"), "fork")
True
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading

# Libraries that start threads when imported, kept from it in the zygote (and so in its workers,
# which need none: a report is one thread of work): jemalloc's background purging thread in
# Arrow, and the BLAS thread pools of numpy.
SINGLE_THREADED = {"JE_ARROW_MALLOC_CONF": "background_thread:false", "OPENBLAS_NUM_THREADS": "1",
                   "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class ZygoteFailed(RuntimeError):
    """The zygote could not fork a worker; the batch starts its workers the ordinary way."""


class Zygote:
    """The zygote process, seen from the batch; ``spawn_worker`` may be called from any thread."""

    def __init__(self, preload: str):
        self.process = subprocess.Popen([sys.executable, "-m", "boligdata.publish.zygote", preload],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True,
                                        env={**os.environ, **SINGLE_THREADED})
        self._lock = threading.Lock()

    @staticmethod
    def available() -> bool:
        return hasattr(os, "fork")

    def _ask(self, request: dict) -> str:
        with self._lock:
            try:
                self.process.stdin.write(json.dumps(request).encode() + b"\n")
                self.process.stdin.flush()
                answer = self.process.stdout.readline().decode().strip()
            except OSError as exc:
                raise ZygoteFailed(f"the zygote has stopped ({exc})") from None
        if not answer:
            raise ZygoteFailed("the zygote has stopped (its preload failed?)")
        return answer

    def threads(self) -> int:
        """The zygote's number of threads (1, or it forks nothing)."""
        return int(self._ask({"threads": True}))

    def spawn_worker(self, address: str, cwd: str) -> int:
        """Fork a batch worker process (``worker.serve``) that connects to ``address``; its pid."""
        answer = self._ask({"worker": address, "cwd": cwd})
        if not answer.isdigit():
            raise ZygoteFailed(f"the zygote could not fork a worker: {answer}")
        return int(answer)

    def ended(self, pid: int) -> str | None:
        """None while the worker ``pid`` runs; else how it ended ("killed by signal 9 (SIGKILL)")."""
        try:
            answer = self._ask({"poll": pid})
        except ZygoteFailed:
            return "ended with its zygote"
        return None if answer == "running" else answer

    def stop(self, pid: int) -> None:
        """Stop the worker ``pid`` (the zygote kills and reaps it, if it still runs)."""
        try:
            self._ask({"stop": pid})
        except ZygoteFailed:
            pass  # gone with the zygote: each worker ends when its parent does

    def close(self) -> None:
        """Stop the zygote (its workers are stopped by the batch's threads)."""
        try:
            self.process.stdin.close()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()


def describe_end(status: int | None) -> str:
    """How a process ended, from its return code (negative: the signal), in a few words.

    >>> describe_end(-9), describe_end(1)
    ('killed by signal 9 (SIGKILL)', 'exited with code 1')
    """
    import signal as signals

    if status is None:
        return "ended"
    if status < 0:
        try:
            return f"killed by signal {-status} ({signals.Signals(-status).name})"
        except ValueError:
            return f"killed by signal {-status}"
    return f"exited with code {status}"


def threads() -> int:
    """This process's number of threads (every thread, also those of C libraries, where the
    system shows them)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def serve(preload: str) -> None:
    """The zygote's own loop: run the preload, then answer each request: fork a worker, say
    whether one still runs, stop one, or count the threads."""
    _run(preload)
    children: dict[int, str | None] = {}  # pid -> how it ended (None while it runs), until reaped and asked

    def reap(pid: int, wait: bool = False) -> str | None:
        if pid in children and children[pid] is None:
            done, status = os.waitpid(pid, 0 if wait else os.WNOHANG)
            if done:
                children[pid] = describe_end(os.waitstatus_to_exitcode(status))
        return children.get(pid, "not a worker of this zygote")

    for line in sys.stdin:
        request = json.loads(line)
        if "poll" in request:
            answer = reap(request["poll"]) or "running"
        elif "stop" in request:
            pid = request["stop"]
            if children.get(pid, "") is None:  # still ours and not reaped: the id is still the worker's
                os.kill(pid, signal.SIGKILL)
                reap(pid, wait=True)
            children.pop(pid, None)
            answer = "stopped"
        elif "threads" in request:
            answer = str(threads())
        elif threads() > 1:
            answer = f"error: the zygote has {threads()} threads; a process with threads is not forked"
        else:
            pid = os.fork()
            if pid == 0:
                _become_worker(request)
            children[pid] = None
            answer = str(pid)
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()


def _run(code: str) -> None:
    import gc

    exec(compile(code, "<zygote>", "exec"), {})
    gc.collect()
    gc.freeze()  # what is read now stays out of every worker's garbage collections


def _become_worker(request: dict) -> None:
    """In the forked child: serve the batch as one of its worker processes; never returns."""
    code = 1
    try:
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(2, 1)  # standard output is the zygote's answer pipe
        os.chdir(request["cwd"])
        from .worker import serve

        serve(request["worker"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


if __name__ == "__main__":
    serve(sys.argv[1])
