"""The one place that reads the wall clock.

`JIEYOU_CLOCK_SPEED` (default 1) makes matter-time run faster than real time so a demo or a
test can watch deadlines pass: with 86400 one matter-day passes per real second. The local
runtime re-anchors the clock from its saved state so matter-time never runs backwards across
a restart.
"""
from __future__ import annotations

import os
import threading
import time
from datetime import datetime, timezone


class Clock:
    def __init__(self, speed: float = 1.0, anchor_real: float | None = None,
                 anchor_virtual: float | None = None):
        if speed <= 0:
            raise ValueError("clock speed must be positive")
        self.speed = float(speed)
        self._lock = threading.Lock()
        self.anchor(anchor_virtual, anchor_real)

    def anchor(self, virtual: float | None = None, real: float | None = None) -> None:
        with self._lock:
            self._real = time.time() if real is None else real
            self._virtual = self._real if virtual is None else virtual

    def timestamp(self) -> float:
        return self._virtual + (time.time() - self._real) * self.speed

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), tz=timezone.utc)

    def real_seconds(self, matter_seconds: float) -> float:
        """Matter-time span → real seconds (what Step Functions timeouts are given)."""
        return matter_seconds / self.speed


_clock: Clock | None = None


def clock() -> Clock:
    global _clock
    if _clock is None:
        _clock = Clock(float(os.environ.get("JIEYOU_CLOCK_SPEED", "1")))
    return _clock


def now() -> datetime:
    return clock().now()


def wall_time() -> float:
    """Real epoch seconds, never sped up: for one-time codes, throttles and token expiry."""
    return time.time()


def real_seconds(matter_seconds: float) -> float:
    return clock().real_seconds(matter_seconds)
