"""CPU seconds spent so far by the parts of a benchmark, read from /proc (Linux): the processes
of given sessions (a server started with `start_new_session=True` is its own session), one
database's PostgreSQL server processes, and the whole machine."""

from __future__ import annotations

import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(database: str, sessions: dict[str, int]) -> dict[str, float]:
    """CPU seconds used so far by each part: the processes of each of our `sessions` (name ->
    session id), this database's PostgreSQL backends, and the whole machine (every core, every
    process, other people's included)."""
    used = dict.fromkeys([*sessions, "PostgreSQL"], 0.0)
    by_session = {sid: name for name, sid in sessions.items()}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rpartition(")")[2].split()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile
        seconds = (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime
        name = by_session.get(int(fields[3]))  # the session id
        ours = database and cmdline.startswith("postgres:") and f" {database} " in cmdline
        if name is None and ours:
            name = "PostgreSQL"
        if name is not None:
            used[name] += seconds
    with open("/proc/stat", encoding="ascii") as f:
        ticks = [int(n) for n in f.readline().split()[1:]]
    used["machine"] = (sum(ticks) - ticks[3] - ticks[4]) / _TICK  # all but idle and iowait
    return used
