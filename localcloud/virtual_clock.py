"""Each execution's virtual clock: the time Step Functions would show, without sleeping for it.

An execution's clock reads its start time plus the real time that has passed since (states do
take real time: a local SageMaker job, an in-process Lambda) plus every wait it recorded instead
of sleeping (Wait states, Retry intervals) plus what `LocalCloud.advance_clock` added (time a
caller lets pass, e.g. for a callback that never comes). Timeouts (the machine's
`TimeoutSeconds`, a Task's `TimeoutSeconds` and `HeartbeatSeconds`) are measured on it, and so
are history timestamps and the context object's times.

The recorded part is kept per interpreter frame: branches of a Parallel and Map iterations each
start from their parent's time and, when they are joined, the parent continues from the latest
one, so waits in concurrent branches overlap as they do on AWS instead of adding up.

Waits on the clock are woken, not polled: everything that can end one (the awaited `Signal`
set, an `advance`, a recorded wait or a join moving the clock, the execution's deadline, a
frame stopping) notifies the clock's `changed` condition, and a waiter otherwise sleeps until
its deadline would pass in real time. Under concurrency, per-wait polling cost more CPU than
the runs themselves.
"""

from __future__ import annotations

import datetime
import threading
import time
from typing import Any

# A waiter is woken by every change that can end its wait; this real-time bound only limits
# how long a wake-up that was never sent (a plain Event set elsewhere) could go unnoticed.
SAFETY_SECONDS = 1.0

_OFFSET = "_localcloud_offset"
_CLOCK = "_localcloud_clock"


class ExecutionClock:
    def __init__(self, start: datetime.datetime, timeout_seconds: float | None) -> None:
        self.start = start
        self.timeout_seconds = timeout_seconds
        # Real time is counted from the execution's start date, so virtual timestamps continue
        # the real ones written before the interpreter ran (ExecutionStarted).
        self._started = start.timestamp()
        self._advanced = 0.0
        self._lock = threading.Lock()
        # Set when a wait reached the execution's deadline: the execution times out then.
        self.expired = threading.Event()
        # Notified on every change a waiter on this clock may be waiting for.
        self.changed = threading.Condition()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._advanced += seconds
        self.touch()

    def touch(self) -> None:
        """Wake every waiter on this clock to look at it (and at what it waits for) again."""
        with self.changed:
            self.changed.notify_all()

    def expire(self) -> None:
        self.expired.set()
        self.touch()

    def elapsed(self, env: Any) -> float:
        with self._lock:
            advanced = self._advanced
        return time.time() - self._started + advanced + float(getattr(env, _OFFSET, 0.0))

    def now(self, env: Any) -> datetime.datetime:
        return self.start + datetime.timedelta(seconds=self.elapsed(env))

    def remaining(self, env: Any) -> float | None:
        if self.timeout_seconds is None:
            return None
        return self.timeout_seconds - self.elapsed(env)


_clocks: dict[str, ExecutionClock] = {}
_clocks_lock = threading.Lock()
_current = threading.local()


def start_clock(env: Any, execution_arn: str, timeout_seconds: float | None) -> ExecutionClock:
    """The clock of the execution `env` runs (its root environment), starting at its start."""
    start = _start_time(env)
    clock = ExecutionClock(start, timeout_seconds)
    setattr(env, _CLOCK, clock)
    setattr(env, _OFFSET, 0.0)
    with _clocks_lock:
        _clocks[execution_arn] = clock
    return clock


def end_clock(execution_arn: str) -> None:
    with _clocks_lock:
        _clocks.pop(execution_arn, None)


def _start_time(env: Any) -> datetime.datetime:
    try:
        text = env.states.context_object.context_object_data["Execution"]["StartTime"]
        start = datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except (AttributeError, KeyError, TypeError, ValueError):
        return datetime.datetime.now(tz=datetime.UTC)
    return start if start.tzinfo else start.replace(tzinfo=datetime.UTC)


def clock_of(env: Any) -> ExecutionClock | None:
    return getattr(env, _CLOCK, None) if env is not None else None


def advance(execution_arn: str, seconds: float) -> None:
    """Let `seconds` pass on a running execution's clock."""
    if seconds < 0:
        raise ValueError(f"seconds must not be negative, got {seconds}: a clock never goes back")
    with _clocks_lock:
        clock = _clocks.get(execution_arn)
    if clock is None:
        raise KeyError(
            f"no running execution {execution_arn!r}: only a running execution's clock can "
            "advance (start it, then advance while it waits)"
        )
    clock.advance(seconds)


class Signal(threading.Event):
    """An Event that also wakes the clocks whose waiters wait for it: a plain Event can be
    waited on alone, and a wait on the clock also ends when the clock moves on."""

    def __init__(self) -> None:
        super().__init__()
        self._listeners: list[ExecutionClock] = []
        self._listeners_lock = threading.Lock()

    def set(self) -> None:
        super().set()
        with self._listeners_lock:
            listeners = list(self._listeners)
        for clock in listeners:
            clock.touch()

    def listen(self, clock: ExecutionClock) -> None:
        with self._listeners_lock:
            self._listeners.append(clock)

    def unlisten(self, clock: ExecutionClock) -> None:
        with self._listeners_lock:
            self._listeners.remove(clock)


def touch(env: Any) -> None:
    """Wake the waiters on `env`'s clock (its running state or its time changed)."""
    clock = clock_of(env)
    if clock is not None:
        clock.touch()


def inherit(parent: Any, frame: Any) -> None:
    """A frame (branch, iteration, task) starts at its parent's time."""
    if hasattr(parent, _CLOCK):
        setattr(frame, _CLOCK, getattr(parent, _CLOCK))
        setattr(frame, _OFFSET, float(getattr(parent, _OFFSET, 0.0)))


def join(parent: Any, frame: Any) -> None:
    """The parent continues from the latest of its joined frames."""
    if hasattr(frame, _OFFSET):
        setattr(parent, _OFFSET, max(getattr(parent, _OFFSET, 0.0), getattr(frame, _OFFSET)))
        touch(parent)


def pass_time(env: Any, seconds: float) -> bool:
    """Let a recorded wait pass on `env`'s clock. False when it reaches the execution's
    deadline: the clock then stops at the deadline and the execution is marked expired."""
    clock = clock_of(env)
    if clock is None:
        return True
    remaining = clock.remaining(env)
    if remaining is not None and seconds >= remaining:
        setattr(env, _OFFSET, getattr(env, _OFFSET, 0.0) + max(remaining, 0.0))
        clock.expire()
        return False
    setattr(env, _OFFSET, getattr(env, _OFFSET, 0.0) + seconds)
    clock.touch()
    return True


def reading(env: Any) -> float | None:
    """Seconds on `env`'s clock since its execution started; None when it has no clock."""
    clock = clock_of(env)
    return None if clock is None else clock.elapsed(env)


def wait_for(env: Any, event: threading.Event, seconds: float, since: float | None = None) -> bool:
    """Wait until `event` is set (True), `seconds` pass on `env`'s clock, or `env` stops
    running (False); real time counts, recorded and advanced time too. The seconds count from
    the clock's reading `since` (what started the wait: a task's start) or else from now, so
    time advanced between that start and this call counts. A `Signal` wakes the wait at once;
    a plain Event is noticed within `SAFETY_SECONDS`."""
    clock = clock_of(env)
    if clock is None:
        return event.wait(seconds)
    deadline = (clock.elapsed(env) if since is None else since) + seconds
    if isinstance(event, Signal):
        event.listen(clock)
    try:
        with clock.changed:
            while not event.is_set():
                remaining = deadline - clock.elapsed(env)
                if remaining <= 0 or not env.is_running():
                    break
                clock.changed.wait(min(remaining, SAFETY_SECONDS))
    finally:
        if isinstance(event, Signal):
            event.unlisten(clock)
    return event.is_set()


def wait_until_stopped(env: Any, seconds: float) -> bool:
    """Wait (in real time, at most `seconds`) until `env` no longer runs; False if it still
    does. Its stopping touches the clock (`virtual_time` frames)."""
    clock = clock_of(env)
    if clock is None:
        return not env.is_running()
    end = time.monotonic() + seconds
    with clock.changed:
        while env.is_running():
            remaining = end - time.monotonic()
            if remaining <= 0:
                return False
            clock.changed.wait(min(remaining, SAFETY_SECONDS))
    return True


def set_current(env: Any) -> Any:
    """The environment this thread evaluates a state in (history timestamps read its clock)."""
    previous = getattr(_current, "env", None)
    _current.env = env
    return previous


def current_env() -> Any:
    """The environment this thread evaluates a state in, if any."""
    return getattr(_current, "env", None)


def current_now() -> datetime.datetime:
    env = getattr(_current, "env", None)
    clock = clock_of(env)
    if clock is None:
        return datetime.datetime.now(tz=datetime.UTC)
    return clock.now(env)
