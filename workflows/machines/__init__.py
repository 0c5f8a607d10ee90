"""The project's state machines, built from settings."""

from __future__ import annotations

from collections.abc import Callable

from environments.settings import Settings
from workflows.machine import StateMachine
from workflows.machines.deploy_model import build_deploy_model
from workflows.machines.drift_check import build_drift_check
from workflows.machines.retrain import build_retrain

BUILDERS: dict[str, Callable[[Settings], StateMachine]] = {
    "retrain": build_retrain,
    "deploy-model": build_deploy_model,
    "drift-check": build_drift_check,
}


def build_all(settings: Settings) -> dict[str, StateMachine]:
    return {name: build(settings) for name, build in BUILDERS.items()}
