"""How long each stage of a build took, for `build --timings`.

The stages of a build follow one another, so each is timed as a lap: the time
from the end of the one before to a mark the stage sets when it is done.
"""

from __future__ import annotations

import time


class StageTimes:
    """Laps of one build, in order: (stage, seconds since the previous mark)."""

    def __init__(self, started: float | None = None) -> None:
        self._last = time.perf_counter() if started is None else started
        self.laps: list[tuple[str, float]] = []

    def lap(self, stage: str) -> None:
        """`stage` is done: it took the time since the previous mark."""
        now = time.perf_counter()
        self.laps.append((stage, now - self._last))
        self._last = now
