"""Python's garbage collector during the preview's rebuilds.

With the objects of thousands of documents alive, each collection pass over the oldest
generation takes a few tenths of a second (about 0.2-0.3 s at 1,000 postmortems). A
rebuild makes little cyclic garbage, so no pass runs while it does. The pass that the
rebuild's allocations call for then runs a moment after the rebuild ends: run at its end,
it would hold up MkDocs' "Reloading browsers", that is the writer seeing the edit.
"""

from __future__ import annotations

import gc
import threading

# Long enough for the browser's reload after the rebuild (its page, scripts and search
# index: a few tenths of a second), and over before a writer who watched it could save again.
RESUME_DELAY_SECONDS = 0.5


class CollectorPause:
    """Pauses the collector for a build; resumes it at once, or a moment after the build."""

    def __init__(self, delay: float | None = None) -> None:
        self.delay = RESUME_DELAY_SECONDS if delay is None else delay
        self._lock = threading.Lock()
        self._was_enabled: bool | None = None  # whether the collector ran before the pause
        self._pauses = 0  # a later pause cancels a resumption that is still waiting
        self._builds = 0
        self._timer: threading.Timer | None = None

    @property
    def paused(self) -> bool:
        return self._was_enabled is not None

    def pause(self) -> None:
        with self._lock:
            self._pauses += 1
            self._cancel_timer()
            if self._was_enabled is None:
                self._was_enabled = gc.isenabled()
            gc.disable()

    def resume(self) -> None:
        """At once: the build failed, or the server is shutting down."""
        with self._lock:
            self._cancel_timer()
            self._resume()

    def build_done(self) -> None:
        """After a build: the first of a session collects at once, a later one after `delay`."""
        self._builds += 1
        if self._builds > 1:
            self.resume_later()
            return
        with self._lock:
            self._cancel_timer()
            collect = bool(self._was_enabled)
            self._resume()
        if collect:
            gc.collect()

    def resume_later(self) -> None:
        """After `delay` seconds, unless another build paused the collector meanwhile."""
        with self._lock:
            self._cancel_timer()
            if self._was_enabled is None:
                return
            timer = threading.Timer(self.delay, self._resume_after, args=(self._pauses,))
            timer.daemon = True
            timer.name = "pmkb-collector"
            self._timer = timer
            timer.start()

    def _resume_after(self, pauses: int) -> None:
        with self._lock:
            if pauses != self._pauses or self._was_enabled is None:
                return
            self._timer = None
            collect = self._was_enabled
            self._resume()
        if collect:
            gc.collect()  # now, rather than at whatever allocation comes next

    def _resume(self) -> None:
        if self._was_enabled:
            gc.enable()
        self._was_enabled = None

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
