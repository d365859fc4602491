"""The event-loop runner: the collector's thresholds while a job runs, and after it."""

from __future__ import annotations

import gc

import pytest

from sitecheck import loop


async def _thresholds() -> tuple[int, int, int]:
    return gc.get_threshold()


def test_the_young_generation_is_collected_less_often_while_a_job_runs() -> None:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        inside = loop.run(_thresholds())
        after = gc.get_threshold()
    finally:
        gc.set_threshold(*before)
    assert inside == (5000, 10, 10)
    assert after == (700, 10, 10)


def test_the_thresholds_are_restored_when_the_job_fails() -> None:
    async def fails() -> None:
        raise RuntimeError("boom")

    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        with pytest.raises(RuntimeError):
            loop.run(fails())
        after = gc.get_threshold()
    finally:
        gc.set_threshold(*before)
    assert after == (700, 10, 10)
