"""What a feature declares about one of its jobs: its name, the function that does the work,
how often to retry, how long a run may hold its claim, and an optional schedule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from mooc.settings import Settings

# The work: the session of the run (in an app context) and the run's arguments. It flushes and
# leaves the commit to the queue, which commits the work with the run's "done" mark; a job that
# must commit as it goes (a sweep over many rows) is idempotent through its own leases or
# unique constraints instead.
Work = Callable[..., object]


@dataclass(frozen=True)
class Schedule:
    """When a periodic job runs, in cron fields (UTC): every minute by default."""

    minute: str = "*"
    hour: str = "*"
    day: str = "*"
    month: str = "*"
    day_of_week: str = "*"


@dataclass(frozen=True)
class Job:
    """A job a feature owns. `enabled` says whether its schedule runs under these settings (an
    LRS to forward to, a sender mode); it can always be enqueued by hand."""

    name: str
    work: Work
    retries: int = 3
    retry_delay: dt.timedelta = dt.timedelta(seconds=30)  # doubled at each further attempt
    timeout: dt.timedelta = dt.timedelta(minutes=10)
    schedule: Schedule | None = None
    enabled: Callable[[Settings], bool] | None = None

    @property
    def max_attempts(self) -> int:
        return self.retries + 1

    def delay_after(self, attempts: int) -> dt.timedelta:
        """The back-off before the attempt that follows attempt number `attempts`."""
        return self.retry_delay * int(2 ** max(attempts - 1, 0))

    def scheduled(self, settings: Settings) -> bool:
        return self.schedule is not None and (self.enabled is None or self.enabled(settings))
