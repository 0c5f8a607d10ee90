"""Ownership: a deploy changes only what is its own environment's.

A desired resource that already exists is the environment's when it carries both owner tags
(``project`` and ``environment``) with the environment's values, which every create writes.
Otherwise it is someone else's and the plan refuses, before any write, naming each such
resource and whose it is:

- tagged with another project or environment (settings copied from another environment keep
  its bucket names, so the copy would take over that environment's buckets and code);
- without the owner tags (made by hand or by another tool: no deploy creates a resource
  without them; a bucket is tagged in the call right after CreateBucket). The one exception is
  what a deploy that died between those two calls leaves: an empty bucket of one of the
  settings' exact names without any owner tag, which the next deploy tags and finishes
  (Provider.left_by_a_stopped_create; the plan leaves it out of this check).

Kinds that cannot carry tags take their parent's ownership, and the parent is always in the
desired state and checked itself: a Lambda permission its function's, a schedule its schedule
group's. S3 objects carry tags of their own (the code objects are uploaded with them) and are
checked as well as their bucket.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from deploy.model import Kind, Resource
from deploy.preflight import DeployRefused
from environments.settings import Settings

# Kinds without tags of their own -> the parent whose ownership they take.
UNTAGGED: Mapping[Kind, str] = {Kind.PERMISSION: "function", Kind.SCHEDULE: "schedule group"}


class OwnershipConflict(DeployRefused):
    """Desired resources exist and belong to another environment or project, or to no one."""

    def __init__(self, settings: Settings, problems: list[str]) -> None:
        self.problems = problems
        listing = "\n".join(f"  {p}" for p in problems)
        mine = f"project={settings.project} environment={settings.environment}"
        ValueError.__init__(
            self,
            f"refused, nothing was changed: these resources exist but are not "
            f"{settings.prefix}'s, and a deploy never updates or adopts them:\n{listing}\n"
            f"Give {settings.environment} names of its own (buckets in "
            f"environments/{settings.environment}.yaml). A resource without tags that "
            f"is {settings.prefix}'s (a deploy died right after creating it): tag it {mine}.",
        )


def owner_problem(settings: Settings, tags: Mapping[str, str]) -> str | None:
    """Whose the tags say the resource is, when not this environment's; None when it is."""
    project, environment = tags.get("project"), tags.get("environment")
    if project == settings.project and environment == settings.environment:
        return None
    if project is None and environment is None:
        return "exists without the project's tags"
    return f"tagged project={project or '(none)'} environment={environment or '(none)'}"


def check_ownership(
    settings: Settings, existing: Iterable[tuple[Resource, Mapping[str, str]]]
) -> None:
    """Raise OwnershipConflict naming every existing desired resource (with the tags read
    back) that is not the environment's."""
    problems = []
    for resource, tags in existing:
        if resource.kind in UNTAGGED:
            continue
        problem = owner_problem(settings, tags)
        if problem is not None:
            problems.append(f"{resource.describe()}: {problem}")
    if problems:
        raise OwnershipConflict(settings, problems)
