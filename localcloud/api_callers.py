"""Who makes an API call in the embedded cloud, as CloudTrail's `userIdentity` says it.

A call made by something the embedded cloud runs as a role (a Lambda handler, a state machine's
interpreter) is signed with the process's one set of credentials, so the credentials cannot tell
those callers apart; the role they run as is known where they run, and is what AWS would record
(an assumed-role session of that role). Any other call is attributed through its access key:
a key STS issued for an assumed role, an IAM user's key, else moto's default identity (the one
`sts get-caller-identity` answers for a key moto did not issue).
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ActingRole:
    """A role the embedded cloud runs something as, and the session AWS would name for it."""

    role_arn: str
    session_name: str
    # The service that made the call on the role's behalf (CloudTrail's `invokedBy`), when the
    # service itself calls (Step Functions' interpreter); None for code running as the role.
    invoked_by: str | None = None


_acting: contextvars.ContextVar[ActingRole | None] = contextvars.ContextVar(
    "localcloud_acting_role", default=None
)


@contextmanager
def acting_as(
    role_arn: str | None, session_name: str, invoked_by: str | None = None
) -> Iterator[None]:
    """Attribute the calls made inside the block (on this thread) to `role_arn`'s session."""
    if not role_arn:
        yield
        return
    token = _acting.set(ActingRole(role_arn, session_name, invoked_by))
    try:
        yield
    finally:
        _acting.reset(token)


def _interpreter_role() -> ActingRole | None:
    """The role of the execution whose state this thread evaluates (moto's interpreter)."""
    from localcloud import virtual_clock

    env = virtual_clock.current_env()
    if env is None:
        return None
    try:
        execution = env.states.context_object.context_object_data["Execution"]
    except (AttributeError, KeyError):
        return None
    role = execution.get("RoleArn")
    if not role:
        return None
    # AWS names the session with an opaque id per execution; a digest of the execution's id
    # keeps it stable for one execution and distinct between executions.
    session = hashlib.sha256(str(execution.get("Id", "")).encode()).hexdigest()[:32]
    return ActingRole(str(role), session, "states.amazonaws.com")


def current_role() -> ActingRole | None:
    return _acting.get() or _interpreter_role()


def _role_id(role_arn: str) -> str:
    """The role's unique id (`AROA...`): moto's, when the role exists, else one derived from the
    ARN so the same role always gets the same id."""
    from moto.iam.models import iam_backends

    account = role_arn.split(":")[4]
    name = role_arn.rsplit("/", 1)[-1]
    try:
        return str(iam_backends[account]["aws"].get_role(name).id)
    except Exception:
        return "AROA" + hashlib.sha256(role_arn.encode()).hexdigest()[:17].upper()


def assumed_role_identity(role: ActingRole, access_key: str, event_time: str) -> dict[str, Any]:
    account = role.role_arn.split(":")[4]
    role_name = role.role_arn.rsplit("/", 1)[-1]
    role_id = _role_id(role.role_arn)
    identity: dict[str, Any] = {
        "type": "AssumedRole",
        "principalId": f"{role_id}:{role.session_name}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{role.session_name}",
        "accountId": account,
        "accessKeyId": access_key,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": role.role_arn,
                "accountId": account,
                "userName": role_name,
            },
            "attributes": {"creationDate": event_time, "mfaAuthenticated": "false"},
        },
    }
    if role.invoked_by:
        identity["invokedBy"] = role.invoked_by
    return identity


def user_identity(access_key: str, region: str, account_id: str, event_time: str) -> dict[str, Any]:
    """CloudTrail's `userIdentity` for a call signed with `access_key` in this thread."""
    role = current_role()
    if role is not None:
        return assumed_role_identity(role, access_key, event_time)
    from moto.sts.models import sts_backends

    sts = sts_backends[account_id]["aws"]
    assumed = sts.get_assumed_role_from_access_key(access_key)
    if assumed is not None:
        arn = str(assumed.role_arn)
        session = ActingRole(arn, str(assumed.session_name))
        return assumed_role_identity(session, access_key, event_time)
    user_id, arn, account = sts.get_caller_identity(access_key, region)
    return {
        "type": "IAMUser",
        "principalId": user_id,
        "arn": arn,
        "accountId": account,
        "accessKeyId": access_key,
        "userName": arn.rsplit("/", 1)[-1],
    }


def user_name(identity: dict[str, Any]) -> str:
    """What LookupEvents shows as `Username`: the session's name for an assumed role, the
    user's name otherwise."""
    if identity.get("type") == "AssumedRole":
        return str(identity["arn"]).rsplit("/", 1)[-1]
    return str(identity.get("userName", ""))
