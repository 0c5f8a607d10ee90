"""Least-privilege IAM derived from the state machine definitions.

``values`` reads what a task argument is known to be before the execution runs; ``tasks`` turns
each Task state into the service calls it makes; ``actions`` says what IAM grants each
integration pattern needs; ``statements`` turns grants into policy documents; ``machine_roles``,
``service_roles`` and ``lambda_roles`` build the roles; ``lint`` and ``simulate`` check them.
The public API is ``workflows.iam``.
"""
