"""Extensions to moto 5.2.5 that close the gaps between its AWS and the real one.

Every patch to moto lives in this package, one module per concern, applied once and
idempotently through `apply_extensions()`. Each extension is named, can be removed again
(`extensions_disabled`), and has a test that fails without it. Larger replacement logic lives in
the modules of `localcloud` beside this package; these modules only wire it in.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from localcloud.extensions import (
    action_lookup,
    budgets_api,
    change_set_order,
    change_set_parameters,
    cloudformation_budgets,
    cloudformation_iam,
    cloudformation_lambda,
    cloudformation_nulls,
    cloudformation_policies,
    cloudformation_rollback,
    cloudformation_services,
    cloudformation_states,
    cloudformation_storage,
    cloudformation_trails,
    cloudformation_types,
    cloudtrail,
    cloudwatch_alarms,
    compiled_patterns,
    context_object,
    dataflow,
    definitions,
    eventbridge,
    execution_history,
    executions,
    express_sync,
    integrations,
    jsonata_eval,
    lambda_invoke,
    lambda_results,
    local_signatures,
    metric_data_percentiles,
    metric_widget_image,
    missing_apis,
    mock_config,
    parsing,
    patching,
    quiet_logs,
    request_environ,
    resolved_urls,
    response_values,
    routed_once,
    rules_api,
    s3_urls,
    sagemaker,
    sagemaker_runtime,
    service_models,
    state_copies,
    states_metrics,
    user_agents,
    virtual_time,
    waits,
)
from localcloud.extensions.patching import PatchSet

# Registry order is application order (and the reverse is removal order).
EXTENSIONS: dict[str, Callable[[PatchSet], None]] = {
    "shared_service_models": service_models.install,
    "service_name_table": service_models.install_service_names,
    "compiled_patterns": compiled_patterns.install,
    "routed_once": routed_once.install,
    "matched_paths": routed_once.install_matched_paths,
    "resolved_urls": resolved_urls.install,
    "local_signatures": local_signatures.install,
    "user_agent_strings": user_agents.install,
    "direct_request_environ": request_environ.install,
    "response_attribute_keys": response_values.install,
    "parsed_definitions": parsing.install,
    "parsed_json_paths": parsing.install_json_paths,
    "state_data_copies": state_copies.install,
    "action_lookup": action_lookup.install,
    "definition_checks": definitions.install,
    "jsonata": jsonata_eval.install,
    "sagemaker_sync": sagemaker.install_jobs_and_sync,
    "update_endpoint": sagemaker.install_update_endpoint,
    "model_package_events": sagemaker.install_model_package_events,
    "model_package_updates": sagemaker.install_model_package_updates,
    "endpoint_state_events": sagemaker.install_endpoint_state_events,
    "invoke_endpoint": sagemaker_runtime.install,
    "lambda_in_process": lambda_invoke.install,
    "lambda_version_code": lambda_invoke.install_version_code,
    "invoke_qualifier": lambda_invoke.install_qualifier,
    "lambda_task_results": lambda_results.install,
    "execution_names": executions.install_names,
    "execution_output": executions.install_output,
    "joinable_executions": executions.install_joinable,
    "execution_index": executions.install_execution_index,
    "execution_history_pages": execution_history.install,
    "nested_executions": integrations.install_nested,
    "sdk_service_names": integrations.install_sdk_service_names,
    "sdk_results": integrations.install_sdk_results,
    "cached_service_clients": integrations.install_cached_clients,
    "states_error_names": executions.install_states_error_names,
    "context_object_times": context_object.install,
    "assign_after_output": dataflow.install_assign_after_output,
    "propagated_error_names": dataflow.install_propagated_error_names,
    "assign_string_literals": dataflow.install_assign_string_literals,
    "jsonata_timestamp_errors": dataflow.install_jsonata_timestamp_errors,
    "recorded_waits": waits.install,
    "signalled_sync": waits.install_signalled_sync,
    "virtual_time": virtual_time.install,
    "states_metrics": states_metrics.install,
    "eventbridge_targets": eventbridge.install,
    "put_rule_patterns": rules_api.install_put_rule_patterns,
    "test_event_pattern": rules_api.install_test_event_pattern,
    "cloudwatch_alarms": cloudwatch_alarms.install,
    "metric_widget_image": metric_widget_image.install,
    "metric_data_percentiles": metric_data_percentiles.install,
    "mock_config": mock_config.install,
    "start_sync_execution": express_sync.install,
    "state_machine_versions": missing_apis.install_state_machine_versions,
    "model_registry_deletes": missing_apis.install_model_registry_deletes,
    "bucket_eventbridge_config": missing_apis.install_bucket_eventbridge_config,
    "schedule_groups": missing_apis.install_schedule_groups,
    "budget_updates": budgets_api.install_budget_updates,
    "budget_subscribers": budgets_api.install_budget_subscribers,
    "cloudformation_types": cloudformation_types.install,
    "cloudformation_template_nulls": cloudformation_nulls.install,
    "cloudformation_state_machines": cloudformation_states.install,
    "cloudformation_iam_roles": cloudformation_iam.install,
    "cloudformation_lambda": cloudformation_lambda.install,
    "cloudformation_storage": cloudformation_storage.install,
    "cloudformation_policies": cloudformation_policies.install,
    "cloudformation_model_package_group": cloudformation_services.install_model_package_group,
    "cloudformation_schedules": cloudformation_services.install_schedules,
    "cloudformation_alarms": cloudformation_services.install_alarms,
    "cloudformation_trails": cloudformation_trails.install,
    "cloudformation_budgets": cloudformation_budgets.install,
    "cloudformation_rollback": cloudformation_rollback.install,
    "quiet_interpreter_logs": quiet_logs.install,
    "s3_url_module": s3_urls.install,
    "change_set_parameters": change_set_parameters.install,
    "change_set_order": change_set_order.install,
    "cloudtrail_api_events": cloudtrail.install,
    "cloudtrail_lookup_events": cloudtrail.install_lookup_events,
}

_applied = patching.APPLIED
_suppressed: set[str] = set()
_lock = threading.RLock()

# The extensions of moto's CloudFormation. Importing it costs seconds (its resource parser imports
# every service's models), which every cloud's start would pay, CloudFormation used or not; so
# they wait, pending, until moto imports its CloudFormation models for a first request.
_DEFERRED = {name for name in EXTENSIONS if name.startswith(("cloudformation_", "change_set_"))}
_TRIGGER = "moto.cloudformation.models"
_pending: set[str] = set()


class _AfterImport(importlib.abc.MetaPathFinder):
    """Applies the pending extensions once `_TRIGGER` has been imported (executed in full)."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != _TRIGGER:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original(module)
            _apply_pending()

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_watcher = _AfterImport()


def _apply_pending() -> None:
    with _lock:
        for name, install in EXTENSIONS.items():  # registry order
            if name in _pending:
                _pending.discard(name)
                patches = PatchSet()
                install(patches)
                _applied[name] = patches


def applied_extensions() -> list[str]:
    with _lock:
        return list(_applied)


def apply_extensions(names: Iterable[str] | None = None) -> None:
    """Apply the named extensions (all by default) in registry order; already applied ones are
    left alone, so calling this again is harmless."""
    wanted = set(EXTENSIONS if names is None else names)
    if names is None:
        wanted -= _suppressed
    unknown = wanted - set(EXTENSIONS)
    if unknown:
        raise ValueError(f"unknown extension(s) {sorted(unknown)}; known: {sorted(EXTENSIONS)}")
    with _lock:
        for name, install in EXTENSIONS.items():
            if name in wanted and name not in _applied:
                if name in _DEFERRED and _TRIGGER not in sys.modules:
                    _pending.add(name)
                    continue
                patches = PatchSet()
                install(patches)
                _applied[name] = patches
        if _pending and _watcher not in sys.meta_path:
            sys.meta_path.insert(0, _watcher)


def remove_extensions() -> None:
    """Undo every applied extension (in reverse order), restoring moto as shipped."""
    with _lock:
        _pending.clear()
        for name in reversed(list(_applied)):
            _applied.pop(name).undo()


@contextmanager
def extensions_disabled(*names: str) -> Iterator[None]:
    """Run with every extension except `names`; restore all of them afterwards."""
    unknown = set(names) - set(EXTENSIONS)
    if unknown:
        raise ValueError(f"unknown extension(s) {sorted(unknown)}")
    with _lock:
        remove_extensions()
        _suppressed.update(names)
        apply_extensions()
        try:
            yield
        finally:
            _suppressed.difference_update(names)
            remove_extensions()
            apply_extensions()


__all__ = [
    "EXTENSIONS",
    "PatchSet",
    "applied_extensions",
    "apply_extensions",
    "extensions_disabled",
    "remove_extensions",
]
