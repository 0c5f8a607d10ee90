"""Parallel and Map: states that run nested scopes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from workflows.base_state import Json, State
from workflows.chain import Chain
from workflows.expressions import QueryLanguage
from workflows.scope import emit_scope
from workflows.states import Recoverable


class Parallel(Recoverable):
    type_name = "Parallel"

    def __init__(
        self,
        name: str,
        *,
        branches: Sequence[State | Chain],
        arguments: Json = None,
        parameters: Mapping[str, Json] | None = None,
        result_selector: Mapping[str, Json] | None = None,
        result_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name, **kwargs)
        if not branches:
            raise ValueError(f'Parallel "{name}" needs at least one branch')
        self.branches = [b.start_state for b in branches]
        self.arguments = arguments
        self.parameters = parameters
        self.result_selector = result_selector
        self.result_path = result_path

    def nested_starts(self) -> list[State]:
        return list(self.branches)

    def _body(self, language: QueryLanguage, default: QueryLanguage) -> dict[str, Json]:
        out: dict[str, Json] = {
            "Branches": [emit_scope(b, language, default) for b in self.branches]
        }
        if self.arguments is not None:
            out["Arguments"] = self.arguments
        if self.parameters is not None:
            out["Parameters"] = dict(self.parameters)
        if self.result_selector is not None:
            out["ResultSelector"] = dict(self.result_selector)
        if self.result_path is not None:
            out["ResultPath"] = self.result_path
        out.update(self._recovery())
        return out


class ProcessorMode(StrEnum):
    INLINE = "INLINE"
    DISTRIBUTED = "DISTRIBUTED"


class ExecutionType(StrEnum):
    STANDARD = "STANDARD"
    EXPRESS = "EXPRESS"


class Map(Recoverable):
    """A Map state with an ItemProcessor, inline or distributed."""

    type_name = "Map"

    def __init__(
        self,
        name: str,
        *,
        item_processor: State | Chain,
        items: Json = None,
        items_path: str | None = None,
        item_selector: Mapping[str, Json] | None = None,
        max_concurrency: int | str | None = None,
        mode: ProcessorMode = ProcessorMode.INLINE,
        execution_type: ExecutionType | None = None,
        item_reader: Mapping[str, Json] | None = None,
        item_batcher: Mapping[str, Json] | None = None,
        result_writer: Mapping[str, Json] | None = None,
        tolerated_failure_percentage: float | str | None = None,
        tolerated_failure_count: int | str | None = None,
        label: str | None = None,
        result_selector: Mapping[str, Json] | None = None,
        result_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name, **kwargs)
        if mode is ProcessorMode.DISTRIBUTED and execution_type is None:
            raise ValueError(
                f'distributed Map "{name}" needs execution_type (ExecutionType.STANDARD or EXPRESS)'
            )
        if mode is ProcessorMode.INLINE and (item_reader or result_writer or execution_type):
            raise ValueError(
                f'Map "{name}": item_reader, result_writer and execution_type are for '
                "mode=ProcessorMode.DISTRIBUTED"
            )
        self.processor = item_processor.start_state
        self.items = items
        self.items_path = items_path
        self.item_selector = item_selector
        self.max_concurrency = max_concurrency
        self.mode = mode
        self.execution_type = execution_type
        self.item_reader = item_reader
        self.item_batcher = item_batcher
        self.result_writer = result_writer
        self.tolerated_failure_percentage = tolerated_failure_percentage
        self.tolerated_failure_count = tolerated_failure_count
        self.label = label
        self.result_selector = result_selector
        self.result_path = result_path

    def nested_starts(self) -> list[State]:
        return [self.processor]

    def _body(self, language: QueryLanguage, default: QueryLanguage) -> dict[str, Json]:
        processor = emit_scope(self.processor, language, default)
        config: dict[str, Json] = {"Mode": self.mode.value}
        if self.execution_type is not None:
            config["ExecutionType"] = self.execution_type.value
        out: dict[str, Json] = {
            "ItemProcessor": {"ProcessorConfig": config, **processor},
        }
        optional: list[tuple[str, Json]] = [
            ("Items", self.items),
            ("ItemsPath", self.items_path),
            ("ItemSelector", self.item_selector),
            ("ItemReader", self.item_reader),
            ("ItemBatcher", self.item_batcher),
            ("ResultWriter", self.result_writer),
            ("MaxConcurrency", self.max_concurrency),
            ("ToleratedFailurePercentage", self.tolerated_failure_percentage),
            ("ToleratedFailureCount", self.tolerated_failure_count),
            ("Label", self.label),
            ("ResultSelector", self.result_selector),
            ("ResultPath", self.result_path),
        ]
        for key, value in optional:
            if value is not None:
                out[key] = dict(value) if isinstance(value, Mapping) else value
        out.update(self._recovery())
        return out
