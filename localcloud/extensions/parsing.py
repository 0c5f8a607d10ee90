"""`parsed_definitions`: a definition is parsed once, not on every StartExecution.

moto's interpreter runs the ANTLR parser for every execution, which costs more than most
executions themselves. The parsed program holds no per-execution state (that lives in each
execution's environment), so programs are kept per definition text and shared.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from localcloud.extensions.patching import PatchSet

_CACHED_DEFINITIONS = 128


def install(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    original = AmazonStateLanguageParser.parse

    @lru_cache(maxsize=_CACHED_DEFINITIONS)
    def parse(definition: str) -> Any:
        return original(definition)

    patches.replace(AmazonStateLanguageParser, "parse", staticmethod(parse))
