"""The preview's pause of the garbage collector (`pmkb.site.collector`)."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator

import pytest
from pmkb.site.collector import CollectorPause


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    (gc.enable if enabled else gc.disable)()


def wait_until_enabled(seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not gc.isenabled():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_the_collector_resumes_after_the_delay():
    pause = CollectorPause(delay=0.05)
    pause.pause()
    assert not gc.isenabled() and pause.paused
    pause.resume_later()
    assert not gc.isenabled()
    assert wait_until_enabled(5)
    assert not pause.paused


def test_a_build_that_starts_meanwhile_keeps_it_paused():
    pause = CollectorPause(delay=0.2)
    pause.pause()
    pause.resume_later()
    pause.pause()  # the next save, noticed before the delay ran out
    time.sleep(0.4)
    assert not gc.isenabled(), "the first build's resumption must not reach into the second"
    pause.resume_later()
    assert wait_until_enabled(5)


def test_resume_is_immediate_and_cancels_a_waiting_resumption():
    pause = CollectorPause(delay=0.1)
    pause.pause()
    pause.resume_later()
    pause.resume()
    assert gc.isenabled()
    gc.disable()  # someone else's choice, made after the pause ended
    time.sleep(0.3)
    assert not gc.isenabled(), "the cancelled resumption must not enable it later"


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    pause = CollectorPause(delay=0.01)
    pause.pause()
    pause.resume_later()
    time.sleep(0.2)
    assert not gc.isenabled()
    pause.pause()
    pause.resume()
    assert not gc.isenabled()


def test_the_first_build_collects_at_once_and_later_ones_after_the_delay():
    pause = CollectorPause(delay=0.05)
    pause.pause()
    pause.build_done()
    assert gc.isenabled(), "the first build of a session: nothing waits on it"
    pause.pause()
    pause.build_done()
    assert not gc.isenabled(), "a rebuild: the writer is waiting to see it"
    assert wait_until_enabled(5)
