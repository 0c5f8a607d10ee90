"""Scenario fixtures: a fresh embedded cloud with the scenarios' MockConfigFile and the stack."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from environments.settings import Settings, load_settings
from localcloud import LocalCloud
from tests.scenarios.cases import MOCK_CONFIG
from tests.scenarios.stack import Stack, deploy_stack


@dataclass
class Deployed:
    cloud: LocalCloud
    stack: Stack

    @property
    def settings(self) -> Settings:
        return self.stack.settings


@pytest.fixture
def deployed() -> Iterator[Deployed]:
    with LocalCloud(mock_config_file=MOCK_CONFIG) as cloud:
        stack = deploy_stack(cloud.client, load_settings("dev"))
        yield Deployed(cloud, stack)
        # Nothing may outlive its cloud: join executions, jobs and Lambda invocations.
        cloud.wait_until_idle(timeout=60)
