"""Least-privilege IAM derived from the state machines.

``declared`` reads what each integration builder declared its Task calls (the deploy's source);
``crosscheck`` compares that with what the emitted definition needs. ``values`` reads what a
task argument is known to be before the execution runs; ``tasks`` turns each Task state into the
service calls it makes; ``actions`` says what IAM grants each integration pattern needs;
``statements`` turns grants into policy documents; ``machine_roles``, ``service_roles`` and
``lambda_roles`` build the roles; ``lint`` and ``simulate`` check them.
The public API is this package: ``project_roles``, ``state_machine_policy``, ``lint_role``,
``lint_policy`` (from ``roles`` and ``lint``).
"""

from iam.lint import lint_policy, lint_role
from iam.roles import project_roles, state_machine_policy
from iam.spec import RoleSpec
from iam.tasks import UnsupportedTaskError

__all__ = [
    "RoleSpec",
    "UnsupportedTaskError",
    "lint_policy",
    "lint_role",
    "project_roles",
    "state_machine_policy",
]
