"""Turning what a definition knows about a name into the narrowest IAM resource pattern.

A literal name gives its exact ARN; a name with a literal prefix gives ``<prefix>*``; a name the
definition cannot know at all falls back to the project's own naming convention
(``<project>-<environment>-*``), never to ``*``. Every fallback is in this module so it is easy
to see what the derivation assumes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from environments.settings import Settings
from iam.tasks import TaskCall, UnsupportedTaskError
from iam.values import Known

SAGEMAKER_PRINCIPAL = "sagemaker.amazonaws.com"


@dataclass(frozen=True)
class Context:
    """What scoping needs beyond one task: the settings, and names other tasks create."""

    settings: Settings
    endpoint_configs: tuple[str, ...] = field(default=())

    @property
    def project_names(self) -> str:
        """The pattern every resource name of this project and environment matches."""
        return f"{self.settings.prefix}-*"

    def arn(self, service: str, resource: str) -> str:
        return self.settings.location.arn(service, resource)

    def sagemaker(self, kind: str, name: str) -> str:
        return self.settings.location.sagemaker(kind, name)


def pattern(known: Known) -> str | None:
    """The IAM pattern of one possible value, or None when nothing about it is known."""
    if known.exact:
        return known.prefix
    return f"{known.prefix}*" if known.prefix else None


def name_patterns(call: TaskCall, context: Context, *path: str) -> list[str]:
    """Name patterns of one request field; unknown names fall back to the project's names."""
    values = call.values(*path)
    if not values:
        raise UnsupportedTaskError(
            f"{call.pointer}: {call.service}:{call.api} has no {'.'.join(path)}; "
            "IAM derivation scopes the call by that field, so set it"
        )
    patterns = [pattern(v) or context.project_names for v in values]
    return sorted(set(patterns))


def exact_values(call: TaskCall, *path: str, why: str, required: bool = True) -> list[str]:
    """Values that must be literal in the definition (a role to pass, a bucket).

    ``required``: the field must be present; otherwise an absent field gives ``[]``.
    """
    values = call.values(*path)
    unknown = [v for v in values if not v.exact]
    if (required and not values) or unknown:
        raise UnsupportedTaskError(
            f"{call.pointer}: {'.'.join(path)} must be a literal in the definition ({why}); "
            "write the value itself instead of an expression"
        )
    return sorted({v.prefix for v in values})


def arns_of(
    call: TaskCall,
    context: Context,
    path: Sequence[str],
    to_arn: Callable[[str], str],
    *,
    fallback: str | None = None,
) -> list[str]:
    """ARNs for a field that holds either a name or an ARN (``to_arn`` builds one from a name).

    A value whose known part starts with ``arn:`` is used as it stands; a bare name is turned
    into an ARN; an unknown value is ``fallback`` (default: the project's names).
    """
    arns: set[str] = set()
    for known in call.values(*path):
        text = pattern(known)
        if text is None:
            arns.add(fallback or to_arn(context.project_names))
        elif known.prefix.startswith("arn"):
            # A prefix that stops before the resource part could be any ARN: use the fallback.
            complete = known.exact or known.prefix.count(":") >= 5
            arns.add(text if complete else fallback or to_arn(context.project_names))
        else:
            arns.add(to_arn(text))
    if not arns:
        arns.add(fallback or to_arn(context.project_names))
    return sorted(arns)


def camel_words(name: str) -> str:
    """``churn-dev-deploy-model`` -> ``ChurnDevDeployModel`` (for Sids)."""
    return "".join(part[:1].upper() + part[1:] for part in name.replace("_", "-").split("-"))
