"""The typed sections of an environment's settings (compute, endpoint, drift, schedules): what
``Settings`` holds besides names and locations."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Compute:
    instance_type: str
    instance_count: int
    volume_size_gb: int
    max_runtime_seconds: int


@dataclass(frozen=True)
class Spot:
    enabled: bool
    max_wait_seconds: int


@dataclass(frozen=True)
class Autoscaling:
    min_capacity: int
    max_capacity: int
    target_invocations_per_instance: float
    scale_in_cooldown_seconds: int
    scale_out_cooldown_seconds: int


@dataclass(frozen=True)
class Deployment:
    canary_percent: int
    canary_wait_seconds: int
    termination_wait_seconds: int
    max_polls: int
    poll_seconds: int


@dataclass(frozen=True)
class Endpoint:
    name: str
    instance_type: str
    initial_instance_count: int
    sampling_percentage: int
    autoscaling: Autoscaling
    deployment: Deployment


@dataclass(frozen=True)
class Drift:
    psi_threshold: float
    ks_pvalue: float
    schedule: str
    timezone: str
    flexible_window_minutes: int | None


@dataclass(frozen=True)
class Schedules:
    """EventBridge Scheduler (time zones, flexible windows) or legacy scheduled rules (UTC)."""

    use_scheduler: bool = True
    retrain: str | None = None
    retrain_timezone: str | None = None
