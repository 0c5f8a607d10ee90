"""ARN parsing and AWS console links. Region and partition always come from the ARN a link is
about, never from the environment the function happens to run in."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

_CONSOLE_DOMAINS = {
    "aws": "console.aws.amazon.com",
    "aws-cn": "console.amazonaws.cn",
    "aws-us-gov": "console.amazonaws-us-gov.com",
}


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(value: str, field: str = "ARN") -> Arn:
    parts = value.split(":", 5) if isinstance(value, str) else []
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2]:
        raise ValueError(
            f"{field} must be an ARN like arn:aws:states:us-east-1:123456789012:..., got {value!r}"
        )
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def execution_arn_for(state_machine_arn: str, execution_name: str) -> str:
    """The execution ARN StartExecution gives a name, for a state machine, version or alias ARN."""
    arn = parse_arn(state_machine_arn, "state machine ARN")
    kind, _, rest = arn.resource.partition(":")
    if kind != "stateMachine" or not rest:
        raise ValueError(f"not a state machine ARN: {state_machine_arn!r}")
    machine = rest.split(":", 1)[0]
    return str(
        Arn(
            arn.partition,
            "states",
            arn.region,
            arn.account,
            f"execution:{machine}:{execution_name}",
        )
    )


def _console(arn: Arn, path: str) -> str:
    domain = _CONSOLE_DOMAINS.get(arn.partition, _CONSOLE_DOMAINS["aws"])
    return f"https://{arn.region}.{domain}/{path}"


def region_console_link(region: str, path: str) -> str:
    """A console page of `region`, in the partition the region belongs to."""
    partition = "aws"
    if region.startswith("cn-"):
        partition = "aws-cn"
    elif region.startswith("us-gov-"):
        partition = "aws-us-gov"
    return _console(Arn(partition, "", region, "", ""), path)


def execution_link(execution_arn: str) -> str:
    arn = parse_arn(execution_arn, "executionArn")
    quoted = urllib.parse.quote(execution_arn, safe="")
    return _console(arn, f"states/home?region={arn.region}#/v2/executions/details/{quoted}")


def model_package_link(model_package_arn: str) -> str:
    arn = parse_arn(model_package_arn, "modelPackageArn")
    # resource is model-package/<group>/<version>
    path = arn.resource.split("/", 1)[1] if "/" in arn.resource else arn.resource
    return _console(arn, f"sagemaker/home?region={arn.region}#/model-registry/{path}")


def endpoint_link(endpoint_name: str, region_of: str) -> str:
    """Link to an endpoint; its region and partition come from `region_of`, an ARN in the
    same account and region (e.g. the execution's)."""
    arn = parse_arn(region_of, "ARN for the endpoint's region")
    name = urllib.parse.quote(endpoint_name, safe="")
    return _console(arn, f"sagemaker/home?region={arn.region}#/endpoints/{name}")
