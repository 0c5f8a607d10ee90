"""Reading a settings file's YAML safely: the file is input from whoever can write to the project,
so what a hostile or mistaken file can cost is bounded and every refusal is one short line naming
the file and the fix.

- Aliases (``*name``) are refused: a billion-laughs file of a few KB would otherwise expand to
  gigabytes; settings never need them (copy the value).
- A key given twice in one mapping is refused, naming the key and both lines (YAML's loaders
  keep the last one silently).
- Nesting deeper than MAX_DEPTH is refused before the recursive composer could overflow.
- The file must be UTF-8 and at most MAX_BYTES; values echoed in errors are cut to ECHO_LIMIT.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
ECHO_LIMIT = 200


class SettingsFileError(ValueError):
    """A settings file that cannot be read as settings; the message is one line."""


def shorten(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


class _RefusingLoader(yaml.SafeLoader):
    """SafeLoader without aliases, duplicate keys or unbounded nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise SettingsFileError(
                f"line {event.start_mark.line + 1}: YAML alias *{shorten(str(event.anchor), 40)} "
                "is not allowed in settings; write the value out where it is used"
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise SettingsFileError(
                f"line {mark.line + 1}: nested more than {MAX_DEPTH} levels deep; "
                "settings are a few levels of mappings"
            )
        try:
            node: yaml.Node | None = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = seen.setdefault(key, line)
            except TypeError:  # an unhashable key: SafeConstructor names it below
                continue
            if first != line:
                raise SettingsFileError(
                    f"line {line}: key {shorten(repr(key), 60)} is given twice "
                    f"(first on line {first}); keep one"
                )
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def _problem_line(exc: yaml.YAMLError) -> str:
    """A parser error as one short line: what and where, without the echoed source."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        return f"{where}{shorten(str(exc.problem or exc.context or 'invalid YAML'), 120)}"
    return shorten(str(exc).replace("\n", " "), 120)


def read_settings_yaml(path: Path) -> Any:
    """The document in the settings file at ``path``; SettingsFileError (naming ``path``) when it
    cannot be read, is too large, is not UTF-8, or is YAML that settings refuse."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SettingsFileError(
                f"{path}: {size} bytes, more than the {MAX_BYTES} a settings file may hold"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise SettingsFileError(f"{path}: cannot read settings: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsFileError(
            f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8"
        ) from exc
    loader = _RefusingLoader(text)
    try:
        return loader.get_single_data()
    except SettingsFileError as exc:
        raise SettingsFileError(f"{path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise SettingsFileError(f"{path}: not valid YAML: {_problem_line(exc)}") from exc
    except RecursionError as exc:  # MAX_DEPTH bounds the composer; this is the backstop
        raise SettingsFileError(f"{path}: nested too deeply to read as settings") from exc
    finally:
        loader.dispose()
