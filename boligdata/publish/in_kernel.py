"""What a warm batch kernel runs itself, between reports; imports nothing, so the kernel's
preload stays short.

>>> from types import SimpleNamespace
>>> ip = SimpleNamespace(user_ns={"x": 1, "_oh": {1: "x"}, "_bd_forget": forget}, user_ns_hidden={"_oh"},
...                      history_manager=SimpleNamespace(output_hist={1: "x"}))
>>> forget(ip)
>>> sorted(ip.user_ns), ip.user_ns["_oh"]
(['_', '__', '___', '_bd_forget', '_oh'], {})
>>> ip.execution_count
1
"""


def forget(ip) -> None:
    """Forget every name a report defined in the kernel ``ip``: its variables, its last results
    (``_``, ``Out``) and its history; the cells are counted from 1 again. Imported modules stay (they hold no report's state: each
    report sets the disclosure policy and reads its own data)."""
    hidden = ip.user_ns_hidden
    for name in [n for n in ip.user_ns if n not in hidden and not n.startswith("_bd_")]:
        del ip.user_ns[name]
    for name in ("_", "__", "___"):
        ip.user_ns[name] = ""
    ip.user_ns["_oh"].clear()
    ip.history_manager.output_hist.clear()
    ip.execution_count = 1  # the next report's cells are In [1], In [2], … as in a fresh kernel
