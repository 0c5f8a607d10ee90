"""The embedded AWS: moto (pinned) plus the project's extensions. See localcloud/README.md."""

from localcloud.cloud import ACCOUNT_ID, DEFAULT_REGION, ExecutionTimeout, LocalCloud

__all__ = ["ACCOUNT_ID", "DEFAULT_REGION", "ExecutionTimeout", "LocalCloud"]
