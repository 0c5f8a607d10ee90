"""deploy-model: approved package → model → endpoint config → create or blue/green update →
wait InService → autoscaling → notify.

A failed or rolled-back update leaves the old config serving; the failure path reports it.
"""

from __future__ import annotations

from environments.settings import Settings
from workflows.chain import Chain
from workflows.choice import Choice, Condition
from workflows.expressions import jsonata
from workflows.integrations.endpoint_wait import (
    on_create_refused,
    wait_for_endpoint,
    wait_for_turn,
)
from workflows.integrations.messaging import sdk_call
from workflows.integrations.sagemaker_serving import (
    BlueGreen,
    DataCapture,
    create_endpoint,
    create_endpoint_config,
    create_model,
    update_endpoint,
)
from workflows.machine import StateMachine
from workflows.machines.failure import FailurePath
from workflows.machines.naming import RUN_ID, assigned_name, resource_name
from workflows.machines.steps import notify_task
from workflows.states import Pass, Succeed

VARIANT = "AllTraffic"
VALID_INPUT = (
    "$type($states.input.modelPackageArn) = 'string'"
    " and $contains($states.input.modelPackageArn, ':model-package/')"
)


def build_deploy_model(settings: Settings) -> StateMachine:
    where = settings.location
    tags = settings.all_tags()
    endpoint = settings.endpoint
    failure = FailurePath(settings, "deploy-model")

    validate = Choice("ValidateInput", comment="Only a model package ARN can be deployed")
    initialize = Pass(
        "Initialize",
        assign={
            "runId": RUN_ID,
            "modelPackageArn": jsonata("$states.input.modelPackageArn"),
            "previousConfigName": None,
        },
    )
    model_name = assigned_name(settings, "model", "modelName")
    config_name = assigned_name(settings, "epc", "endpointConfigName")
    names = Pass(
        "SetNames",
        assign={
            "modelName": resource_name(settings, "model"),
            "endpointConfigName": resource_name(settings, "epc"),
        },
    )
    describe_package = sdk_call(
        "DescribeModelPackage",
        where,
        service="sagemaker",
        action="describeModelPackage",
        arguments={"ModelPackageName": jsonata("$modelPackageArn")},
        assign={"approvalStatus": jsonata("$states.result.ModelApprovalStatus")},
    )
    model = create_model(
        "CreateModel",
        where,
        model_name=model_name,
        role_arn=settings.sagemaker_role_arn,
        model_package_arn=jsonata("$modelPackageArn"),
        tags=tags,
    )
    config = create_endpoint_config(
        "CreateEndpointConfig",
        where,
        config_name=config_name,
        model_name=jsonata("$modelName"),
        instance_type=endpoint.instance_type,
        instance_count=endpoint.initial_instance_count,
        data_capture=DataCapture(
            destination_s3_uri=settings.data_capture_uri,
            sampling_percentage=endpoint.sampling_percentage,
        ),
        tags=tags,
        variant=VARIANT,
    )
    find = sdk_call(
        "FindEndpoint",
        where,
        service="sagemaker",
        action="listEndpoints",
        arguments={"NameContains": endpoint.name, "MaxResults": 100},
        assign={
            "endpointExists": jsonata(
                f"$count($states.result.Endpoints[EndpointName = '{endpoint.name}']) > 0"
            )
        },
    )
    deployment = endpoint.deployment
    update = update_endpoint(
        "UpdateEndpoint",
        where,
        endpoint_name=endpoint.name,
        config_name=config_name,
        deployment=BlueGreen(
            canary_percent=deployment.canary_percent,
            canary_wait_seconds=deployment.canary_wait_seconds,
            termination_wait_seconds=deployment.termination_wait_seconds,
            rollback_alarms=settings.rollback_alarms,
            max_execution_seconds=max(
                600,
                min(
                    28800,
                    2 * (deployment.canary_wait_seconds + deployment.termination_wait_seconds)
                    + 1800,
                ),
            ),
        ),
    )
    create = create_endpoint(
        "CreateEndpoint",
        where,
        endpoint_name=endpoint.name,
        config_name=config_name,
        tags=tags,
    )
    resource_id = f"endpoint/{endpoint.name}/variant/{VARIANT}"
    scaling = endpoint.autoscaling
    register_target = sdk_call(
        "RegisterScalableTarget",
        where,
        service="applicationautoscaling",
        action="registerScalableTarget",
        arguments={
            "ServiceNamespace": "sagemaker",
            "ResourceId": resource_id,
            "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
            "MinCapacity": scaling.min_capacity,
            "MaxCapacity": scaling.max_capacity,
        },
    )
    scaling_policy = sdk_call(
        "PutScalingPolicy",
        where,
        service="applicationautoscaling",
        action="putScalingPolicy",
        arguments={
            "PolicyName": settings.name("invocations-per-instance"),
            "ServiceNamespace": "sagemaker",
            "ResourceId": resource_id,
            "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": scaling.target_invocations_per_instance,
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
                },
                "ScaleInCooldown": scaling.scale_in_cooldown_seconds,
                "ScaleOutCooldown": scaling.scale_out_cooldown_seconds,
            },
        },
    )
    notify = notify_task(
        "NotifyDeployed",
        settings,
        machine="deploy-model",
        kind="model_deployed",
        details={
            "modelPackageArn": jsonata("$modelPackageArn"),
            "endpointName": endpoint.name,
            "endpointConfigName": jsonata("$endpointConfigName"),
            "previousConfigName": jsonata("$previousConfigName"),
            "reason": jsonata(
                "$supersededBy ? 'Superseded: a later deploy already replaced it; the endpoint "
                "serves ' & $supersededBy : null"
            ),
        },
    )
    deployed = Succeed(
        "Deployed",
        output=jsonata(
            f"{{'endpointName': '{endpoint.name}', 'endpointConfigName': $endpointConfigName, "
            "'modelName': $modelName, 'modelPackageArn': $modelPackageArn, "
            "'previousConfigName': $previousConfigName, 'supersededBy': $supersededBy}"
        ),
    )
    # Before the failure path's catch-all: a refusal because another deploy came first waits.
    turn = wait_for_turn(
        where,
        endpoint_name=endpoint.name,
        poll_seconds=deployment.poll_seconds,
        max_polls=deployment.max_polls,
        update=update,
        failed=failure.start,
        protect=failure.protect,
    )
    on_create_refused(create, turn=turn, failed=failure.start)
    failure.protect(
        describe_package,
        model,
        config,
        find,
        update,
        create,
        register_target,
        scaling_policy,
        notify,
    )
    in_service = Chain.sequence(register_target, scaling_policy, notify, deployed)
    wait = wait_for_endpoint(
        where,
        endpoint_name=endpoint.name,
        poll_seconds=deployment.poll_seconds,
        max_polls=deployment.max_polls,
        in_service=in_service,
        failed=failure.start,
        protect=failure.protect,
    )
    create.next(wait)
    update.next(wait)
    create_or_update = (
        Choice("CreateOrUpdate")
        .when(Condition.jsonata("$endpointExists"), turn, label="endpoint exists")
        .otherwise(create, label="no endpoint yet")
    )
    approved = (
        Choice("CheckApproval")
        .when(
            Condition.jsonata("$approvalStatus = 'Approved'"),
            Chain.sequence(model, config, find, create_or_update),
            label="approved",
        )
        .otherwise(
            failure.reject_input(
                "NotApproved",
                "the model package is not Approved; approve it in the model registry first",
                failed_state="CheckApproval",
                error="ModelPackageNotApproved",
            ),
            label="not approved",
        )
    )
    validate.when(
        Condition.jsonata(VALID_INPUT),
        Chain.sequence(initialize, names, describe_package, approved),
        label="valid input",
    ).otherwise(
        failure.reject_input(
            "InvalidInput",
            'expected input {"modelPackageArn": "arn:<partition>:sagemaker:<region>:<account>:'
            'model-package/<group>/<version>"}',
        ),
        label="invalid input",
    )
    return StateMachine(
        name=settings.state_machine_name("deploy-model"),
        definition=validate,
        comment="Deploy an approved model package to the endpoint, blue/green with auto-rollback",
        timeout_seconds=4 * 3600,
    )
