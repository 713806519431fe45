"""Workflow tests run the real ASL on moto; a fast clock lets deadlines pass within a test."""
from __future__ import annotations

import pytest

from chalicelib.adapters import clock as clock_module


@pytest.fixture
def fast_clock():
    """One matter-day passes in ~0.1 real seconds, so same-day deadlines pass within a test."""
    previous = clock_module._clock
    clock_module._clock = clock_module.Clock(speed=864_000)
    yield clock_module._clock
    clock_module._clock = previous
