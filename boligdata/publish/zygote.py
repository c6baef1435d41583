"""The batch kernels' common parent: one process that imports what every report needs, once, and
forks each kernel from itself, so a kernel starts with the report modules and the rules already
in memory instead of importing them again (POSIX only; docs/performance.md).

The batch starts it with ``Zygote(preload)``; once the workspace is ingested, ``Zygote.run``
has it read the workspace's tables and the quarter's snapshots (so every kernel starts with them
too); ``Zygote.spawn`` forks a kernel that serves a connection file and returns its process id.
The zygote process reads one JSON request per line on standard input and answers with one line
on standard output. It exits when its
standard input closes, and each kernel exits when the zygote is gone (ipykernel's parent
poller), so nothing outlives a batch that was killed.

A forked kernel is an ordinary ipykernel (``ipykernel_launcher -f FILE``) started from a process
that has already imported its modules; no zmq context, event loop or thread of the zygote's
exists yet when it forks.

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


class ZygoteFailed(RuntimeError):
    """The zygote could not fork a kernel; the batch starts its kernels the ordinary way."""


class Zygote:
    """The zygote process, seen from the batch; ``spawn`` may be called from any thread."""

    def __init__(self, preload: str):
        self.process = subprocess.Popen([sys.executable, "-m", "boligdata.publish.zygote", preload],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
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

    def run(self, code: str) -> bool:
        """Run ``code`` in the zygote (what it reads, every kernel forked later has); False if it failed
        (each kernel then reads the data itself)."""
        try:
            return self._ask({"run": code}) == "ok"
        except ZygoteFailed:
            return False

    def spawn(self, connection_file: str, cwd: str, arguments: list[str]) -> int:
        """Fork a kernel that serves ``connection_file``; its pid."""
        answer = self._ask({"connection_file": connection_file, "cwd": cwd, "arguments": arguments})
        if not answer.isdigit():
            raise ZygoteFailed(f"the zygote could not fork a kernel: {answer}")
        return int(answer)

    def close(self) -> None:
        """Stop the zygote (its kernels are stopped by their sessions)."""
        try:
            self.process.stdin.close()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()


def serve(preload: str) -> None:
    """The zygote's own loop: run the preload, then answer each request: run code, or fork a kernel."""
    _run(preload)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the system reaps the kernels that end
    for line in sys.stdin:
        request = json.loads(line)
        if "run" in request:
            try:
                _run(request["run"])
                answer = "ok"
            except Exception as exc:  # the kernels read it themselves then
                answer = f"error {type(exc).__name__}: {exc}".splitlines()[0]
        else:
            pid = os.fork()
            if pid == 0:
                _become_kernel(request)
            answer = str(pid)
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()


def _run(code: str) -> None:
    import gc

    exec(compile(code, "<zygote>", "exec"), {})
    gc.collect()
    gc.freeze()  # what is read now stays out of every kernel's garbage collections


def _become_kernel(request: dict) -> None:
    """In the forked child: run an ipykernel on the request's connection file; never returns."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # a report may run and wait for programs of its own
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(2, 1)  # standard output is the zygote's answer pipe: keep the kernel off it
        os.chdir(request["cwd"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())  # the kernel ends when the zygote does
        sys.argv = ["ipykernel_launcher", "-f", request["connection_file"], *request["arguments"]]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    finally:
        os._exit(code)


if __name__ == "__main__":
    serve(sys.argv[1])
