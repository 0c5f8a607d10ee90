"""The endpoint's timeline and the audit of out-of-band API calls, as rules to the topic.

- Every state change of the environment's endpoint but Failed (Creating, Updating,
  SystemUpdating, RollingBack, InService, Deleting) is one readable line on the topic, so the
  topic holds the endpoint's timeline; Failed has its own rule (`endpoint-failed`), one rule
  per fact, so a failure is never announced twice.
- Destructive or out-of-band calls on the project's resources, as CloudTrail delivers them
  (`AWS API Call via CloudTrail`, only while a trail with management events logs: the
  account's or an organisation trail), notify who made them: principal, source IP, time,
  request. Changes to the endpoint and models made by the project's own roles (its state
  machines and Lambda functions, all named `<project>-<environment>-...`) are the deployments
  the project makes itself and are not reported; every other principal's are.
"""

from __future__ import annotations

from typing import Any

from environments.settings import Settings
from event_rules import messages
from event_rules.catalogue_targets import project_rule, topic_target
from event_rules.rule import Rule

API_CALL = "AWS API Call via CloudTrail"
# Both spellings occur: the console and the API say `InService`, the EventBridge reference's
# sample `IN_SERVICE`.
TIMELINE_STATUSES = (
    "Creating",
    "Updating",
    "SystemUpdating",
    "RollingBack",
    "InService",
    "Deleting",
    "IN_SERVICE",
    "ROLLING_BACK",
    "SYSTEM_UPDATING",
)
ENDPOINT_CALLS = ("DeleteEndpoint", "UpdateEndpoint", "UpdateEndpointWeightsAndCapacities")
MODEL_CALLS = ("DeleteModel", "DeleteEndpointConfig")
REGISTRY_CALLS = ("DeleteModelPackage", "DeleteModelPackageGroup")
MACHINE_CALLS = ("DeleteStateMachine", "UpdateStateMachine", "DeleteStateMachineAlias")
RULE_CALLS = ("DeleteRule", "DisableRule", "RemoveTargets")
BUCKET_CALLS = (
    "DeleteBucket",
    "PutBucketPolicy",
    "DeleteBucketPolicy",
    "PutBucketNotification",
    "PutBucketNotificationConfiguration",
)
TRAIL_CALLS = ("StopLogging", "DeleteTrail", "PutEventSelectors")


def audit_rules(settings: Settings) -> list[Rule]:
    rules = [endpoint_timeline_rule(settings), sagemaker_audit_rule(settings)]
    rules += [machines_audit_rule(settings), rules_audit_rule(settings)]
    rules += [buckets_audit_rule(settings), trail_audit_rule(settings)]
    return rules


def endpoint_timeline_rule(settings: Settings) -> Rule:
    return project_rule(
        settings,
        "endpoint-timeline",
        f"The endpoint {settings.endpoint.name} changed state (all but Failed): notify",
        event_pattern={
            "source": ["aws.sagemaker"],
            "detail-type": ["SageMaker Endpoint State Change"],
            "detail": {
                "EndpointName": [settings.endpoint.name],
                "EndpointStatus": list(TIMELINE_STATUSES),
            },
        },
        targets=(topic_target(settings, messages.endpoint_transition(settings.prefix)),),
    )


def _api_call(service: str, names: tuple[str, ...], **detail: Any) -> dict[str, Any]:
    return {
        "source": [f"aws.{service}"],
        "detail-type": [API_CALL],
        "detail": {
            "eventSource": [f"{service}.amazonaws.com"],
            "eventName": list(names),
            **detail,
        },
    }


def _audit(settings: Settings, suffix: str, what: str, pattern: dict[str, Any]) -> Rule:
    return project_rule(
        settings,
        suffix,
        f"{what}: notify who made the call",
        event_pattern=pattern,
        targets=(topic_target(settings, messages.api_call(settings.prefix)),),
    )


def sagemaker_audit_rule(settings: Settings) -> Rule:
    """Not the project's own roles: an IAM user or root (no assumed role), or any role
    whose name does not start with the environment's prefix."""
    own_roles = settings.location.role(f"{settings.prefix}-")
    pattern = _api_call(
        "sagemaker",
        ENDPOINT_CALLS + MODEL_CALLS + REGISTRY_CALLS,
        requestParameters={
            "$or": [
                {"endpointName": [settings.endpoint.name]},
                {"modelName": [{"prefix": f"{settings.prefix}-"}]},
                {"endpointConfigName": [{"prefix": f"{settings.prefix}-"}]},
                {"modelPackageGroupName": [settings.model_package_group]},
                {
                    "modelPackageName": [
                        {
                            "prefix": settings.location.sagemaker(
                                "model-package", f"{settings.model_package_group}/"
                            )
                        }
                    ]
                },
            ]
        },
        userIdentity={
            "$or": [
                {"type": [{"anything-but": "AssumedRole"}]},
                {
                    "sessionContext": {
                        "sessionIssuer": {"arn": [{"anything-but": {"prefix": own_roles}}]}
                    }
                },
            ]
        },
    )
    return _audit(
        settings,
        "audit-sagemaker",
        f"The endpoint {settings.endpoint.name}, a model, endpoint config or model package of "
        "this environment was deleted or changed by a principal that is not the project's own",
        pattern,
    )


def machines_audit_rule(settings: Settings) -> Rule:
    prefix = settings.location.state_machine(f"{settings.prefix}-")
    return _audit(
        settings,
        "audit-state-machines",
        "A state machine of this environment was deleted or changed outside a deploy",
        _api_call(
            "states",
            MACHINE_CALLS,
            requestParameters={
                "$or": [
                    {"stateMachineArn": [{"prefix": prefix}]},
                    {"stateMachineAliasArn": [{"prefix": prefix}]},
                ]
            },
        ),
    )


def rules_audit_rule(settings: Settings) -> Rule:
    own = {"prefix": f"{settings.prefix}-"}
    return _audit(
        settings,
        "audit-rules",
        "An EventBridge rule of this environment was deleted, disabled or lost its targets",
        _api_call(
            "events",
            RULE_CALLS,
            # DeleteRule and DisableRule name the rule `name`, RemoveTargets `rule`.
            requestParameters={"$or": [{"name": [own]}, {"rule": [own]}]},
        ),
    )


def buckets_audit_rule(settings: Settings) -> Rule:
    return _audit(
        settings,
        "audit-buckets",
        "A bucket of this environment was deleted or its policy or notifications changed",
        _api_call(
            "s3",
            BUCKET_CALLS,
            requestParameters={"bucketName": [settings.data_bucket, settings.artifacts_bucket]},
        ),
    )


def trail_audit_rule(settings: Settings) -> Rule:
    """The last call a trail delivers before it stops: whoever silences the audit is named.
    Any trail of the account: the audit rules above see nothing once the one feeding them is
    stopped, and the project does not know which one that is."""
    return _audit(
        settings,
        "audit-trail",
        "A CloudTrail trail of the account was stopped, deleted or its event selectors changed",
        _api_call("cloudtrail", TRAIL_CALLS),
    )
