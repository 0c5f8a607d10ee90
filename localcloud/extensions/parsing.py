"""`parsed_definitions`: a definition is parsed once, not on every StartExecution, and once
per machine rather than once per process.

moto's interpreter runs the ANTLR parser for every execution, which costs more than most
executions themselves. The parsed program holds no per-execution state (that lives in each
execution's environment), so programs are kept per definition text and shared; they are also
kept on disk for the next process (`localcloud/parsed_programs.py`). A program read from there
comes without ANTLR's parse tree, which none of moto's callers of the parser use.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from localcloud import parsed_programs
from localcloud.extensions.patching import PatchSet, applied_names

_CACHED_DEFINITIONS = 128
_CACHED_JSON_PATHS = 1024


def install(patches: PatchSet) -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    original = AmazonStateLanguageParser.parse

    @lru_cache(maxsize=_CACHED_DEFINITIONS)
    def parse(definition: str) -> Any:
        extensions = applied_names()
        program = parsed_programs.load(definition, extensions)
        if program is not None:
            return program, None
        program, tree = original(definition)
        parsed_programs.store(definition, extensions, program)
        return program, tree

    patches.replace(AmazonStateLanguageParser, "parse", staticmethod(parse))


def install_json_paths(patches: PatchSet) -> None:
    """`parsed_json_paths`: a JSONPath (ResultPath, InputPath, OutputPath, `.$` fields) is
    parsed once per text. moto parsed it again at every use, and jsonpath_ng builds its LALR
    parser tables on each parse: about a tenth of a retrain's CPU. A parsed path is only read
    (`find`, `update_or_create`), so one is shared by every execution."""
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    for module in (result_path, json_path):
        patches.replace(module, "parse", lru_cache(maxsize=_CACHED_JSON_PATHS)(module.parse))
