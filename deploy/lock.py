"""The environment lock: one deploy, rollback or destroy of an environment at a time.

The lock is the SSM parameter ``/<project>-<env>/deploy-lock``, created with ``Overwrite=False``:
SSM creates a parameter only when the name is free and otherwise answers
``ParameterAlreadyExists``, so of two deployers starting together exactly one gets it, on AWS
as in the embedded cloud, and before either has written anything else. It works before the
environment's buckets exist and needs no table of its own. Its value says who holds it (user,
host, process), since when and for which command; the refusal names them.

The holder deletes it when it is done, on success, on failure and on Ctrl-C alike (a
``finally``); it deletes only its own (a token in the value), so a lock released by hand and
taken by the next deployer is not released by the first. A holder that crashed leaves it
behind: ``selfheal unlock --env ENV`` shows the holder and deletes it when asked to.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from deploy.calls import ClientFactory, Clients
from deploy.providers.base import error_code, tag_list, unless_missing
from environments.settings import Settings

NOT_FOUND = "ParameterNotFound"


@dataclass(frozen=True)
class LockHolder:
    who: str  # user@host pid N
    since: str  # ISO 8601, UTC
    command: str
    token: str

    def describe(self) -> str:
        return f"{self.who}, running `{self.command}` since {self.since}"


class EnvironmentLocked(RuntimeError):
    """Another deploy, rollback or destroy of the environment holds the lock."""

    def __init__(self, settings: Settings, holder: LockHolder | None, command: str) -> None:
        self.holder = holder
        who = holder.describe() if holder else "a deployer that released it a moment ago"
        super().__init__(
            f"{command} refused, nothing was changed: {settings.prefix} is locked by {who}.\n"
            "  Wait for it to finish. If that process is gone (it crashed or was killed), "
            f"release the lock: selfheal unlock --env {settings.environment}"
        )


def lock_parameter(settings: Settings) -> str:
    return f"/{settings.prefix}/deploy-lock"


def _who() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a bare container)
        user = f"uid {os.getuid()}"
    return f"{user}@{socket.gethostname()} pid {os.getpid()}"


def read_lock(settings: Settings, clients: Clients) -> LockHolder | None:
    """Who holds the environment's lock, or None when it is free."""
    ssm: Any = clients("ssm")
    found = unless_missing(lambda: ssm.get_parameter(Name=lock_parameter(settings)), NOT_FOUND)
    if found is None:
        return None
    try:
        value = json.loads(found["Parameter"]["Value"])
        return LockHolder(**{k: str(value[k]) for k in ("who", "since", "command", "token")})
    except (ValueError, KeyError, TypeError):
        # Still a lock: whoever wrote it meant the environment to be left alone.
        return LockHolder(found["Parameter"]["Value"][:200], "an unknown time", "unknown", "")


def release(settings: Settings, clients: Clients, token: str | None = None) -> LockHolder | None:
    """Delete the lock (only when it carries ``token``, if given); returns whose it was."""
    holder = read_lock(settings, clients)
    if holder is None or (token is not None and holder.token != token):
        return None
    ssm: Any = clients("ssm")
    unless_missing(lambda: ssm.delete_parameter(Name=lock_parameter(settings)), NOT_FOUND)
    return holder


@contextmanager
def environment_lock(settings: Settings, clients: Clients, command: str) -> Iterator[LockHolder]:
    """Hold the environment's lock for the ``with`` block. Raises EnvironmentLocked, having
    written nothing, when someone else holds it."""
    since = datetime.now(UTC).isoformat(timespec="seconds")
    holder = LockHolder(_who(), since, command, uuid.uuid4().hex)
    ssm: Any = clients("ssm")
    try:
        ssm.put_parameter(
            Name=lock_parameter(settings),
            Description=f"Held while a deploy, rollback or destroy of {settings.prefix} runs",
            Value=json.dumps(asdict(holder), sort_keys=True),
            Type="String",
            Overwrite=False,
            Tags=tag_list(settings.all_tags()),
        )
    except ClientError as error:
        if error_code(error) == "ParameterAlreadyExists":
            raise EnvironmentLocked(settings, read_lock(settings, clients), command) from None
        raise
    try:
        yield holder
    except BaseException as error:  # Ctrl-C included: the lock must not outlive the command
        try:
            release(settings, clients, holder.token)
        except Exception as failed:  # keep the error that stopped the command in front
            error.add_note(
                f"the lock {lock_parameter(settings)} was not released ({failed}); release it "
                f"with: selfheal unlock --env {settings.environment}"
            )
        raise
    release(settings, clients, holder.token)


class UnlockRefused(RuntimeError):
    """The lock was not released: not confirmed."""


def unlock(
    settings: Settings,
    client_factory: ClientFactory,
    out: Callable[[str], None] = print,
    *,
    yes: bool = False,
    ask: Callable[[str], str] | None = None,
) -> LockHolder | None:
    """Release a lock whose holder is gone, whoever holds it: show the holder, then delete it
    when ``yes``, or ``ask`` answers with the environment's name. Raises UnlockRefused
    otherwise. Returns whose lock was released (None: it was not locked)."""
    clients = Clients(client_factory)
    holder = read_lock(settings, clients)
    if holder is None:
        out(f"unlock: {settings.prefix} is not locked")
        return None
    out(f"unlock: {settings.prefix} is locked by {holder.describe()}")
    env = settings.environment
    if not yes:
        if ask is None:
            raise UnlockRefused(
                "the lock was not released; if that process is gone, run again with --yes"
            )
        answer = ask(f"type the environment name ({env}) if that process is gone: ").strip()
        if answer != env:
            raise UnlockRefused(f"the lock was not released: {answer!r} is not {env!r}")
    released = release(settings, clients)
    out(f"unlock: released the lock of {released.describe() if released else 'no one'}")
    return released
