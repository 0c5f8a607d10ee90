"""How AWS names one service and one API call in its different places, stored once.

A Step Functions Task names a service in its Resource ARN (``aws-sdk:<sdk name>:<api>`` or an
optimized ``<integration>:<api>``), botocore names the same service's model and client, IAM
names it by its action prefix, and the aws-sdk integration names its errors after it again.
Where these agree nothing is stored; only the differences are, here, for every package to use.
"""

from __future__ import annotations

from aws_naming.names import (
    OPTIMIZED_BOTOCORE_SERVICES,
    SDK_BOTOCORE_SERVICES,
    botocore_operation,
    botocore_service,
    dashed_botocore_service,
    iam_action,
    iam_prefix,
    sdk_error_prefix,
)

__all__ = [
    "OPTIMIZED_BOTOCORE_SERVICES",
    "SDK_BOTOCORE_SERVICES",
    "botocore_operation",
    "botocore_service",
    "dashed_botocore_service",
    "iam_action",
    "iam_prefix",
    "sdk_error_prefix",
]
