"""Every ARN format the project uses, in one place. Partition, region and account are explicit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where resources live. Never read from the ambient environment."""

    partition: str
    region: str
    account: str

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account}:{resource}"

    # Step Functions
    def state_machine(self, name: str) -> str:
        return self.arn("states", f"stateMachine:{name}")

    def state_machine_alias(self, name: str, alias: str) -> str:
        return f"{self.state_machine(name)}:{alias}"

    def executions(self, state_machine: str) -> str:
        return self.arn("states", f"execution:{state_machine}:*")

    def integration(self, service_action: str) -> str:
        """A Step Functions service-integration resource, e.g. ``sagemaker:createModel``."""
        return f"arn:{self.partition}:states:::{service_action}"

    # Lambda, SNS, EventBridge, Scheduler, CloudWatch
    def function(self, name: str) -> str:
        return self.arn("lambda", f"function:{name}")

    def function_alias(self, name: str, alias: str) -> str:
        """A function qualified by an alias (or a version number)."""
        return f"{self.function(name)}:{alias}"

    def topic(self, name: str) -> str:
        return self.arn("sns", name)

    def event_bus(self, name: str = "default") -> str:
        return self.arn("events", f"event-bus/{name}")

    def rule(self, name: str) -> str:
        return self.arn("events", f"rule/{name}")

    def alarm(self, name: str) -> str:
        return self.arn("cloudwatch", f"alarm:{name}")

    def budget(self, name: str) -> str:
        """Budgets are global: no region in the ARN."""
        return self.arn("budgets", f"budget/{name}", regional=False)

    def dashboard(self, name: str) -> str:
        """Dashboards are global: no region in the ARN."""
        return self.arn("cloudwatch", f"dashboard/{name}", regional=False)

    def schedule(self, name: str, group: str) -> str:
        return self.arn("scheduler", f"schedule/{group}/{name}")

    def schedule_group(self, name: str) -> str:
        return self.arn("scheduler", f"schedule-group/{name}")

    def secret(self, name: str) -> str:
        return self.arn("secretsmanager", f"secret:{name}")

    # SageMaker
    def sagemaker(self, kind: str, name: str) -> str:
        """kind: training-job, processing-job, transform-job, model, endpoint, endpoint-config,
        model-package, model-package-group."""
        return self.arn("sagemaker", f"{kind}/{name}")

    # IAM and S3 are global: no region in the ARN, and S3 no account either.
    def role(self, name: str) -> str:
        return self.arn("iam", f"role/{name}", regional=False)

    def bucket(self, name: str) -> str:
        return f"arn:{self.partition}:s3:::{name}"

    def objects(self, bucket: str, prefix: str = "") -> str:
        return f"arn:{self.partition}:s3:::{bucket}/{prefix}*"

    def console(self) -> str:
        domain = {"aws-cn": "console.amazonaws.cn", "aws-us-gov": "console.amazonaws-us-gov.com"}
        return f"https://{self.region}.{domain.get(self.partition, 'console.aws.amazon.com')}"
