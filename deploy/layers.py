"""The Powertools for AWS Lambda (Python) layer the handlers import from.

The layer version is the one published for the pinned `aws-lambda-powertools` release; AWS
publishes its ARN as a public SSM parameter per architecture, runtime and release
(``/aws/service/powertools/python/<arch>/<runtime>/<version>``), read here with GetParameter and
in the CloudFormation template with a dynamic reference.
"""

from __future__ import annotations

from importlib import metadata

from botocore.exceptions import ClientError

from deploy.calls import Clients

ARCHITECTURE = "x86_64"
RUNTIME = "python3.11"


def powertools_version() -> str:
    return metadata.version("aws-lambda-powertools")


def powertools_parameter() -> str:
    return f"/aws/service/powertools/python/{ARCHITECTURE}/{RUNTIME}/{powertools_version()}"


def resolve_powertools_layer(clients: Clients) -> str:
    name = powertools_parameter()
    try:
        return str(clients("ssm").get_parameter(Name=name)["Parameter"]["Value"])
    except ClientError as error:
        raise RuntimeError(
            f"the Powertools layer parameter {name} cannot be read "
            f"({error.response.get('Error', {}).get('Code')}); check the region, or deploy "
            "with the Powertools layer turned off when the target bundles it"
        ) from error
