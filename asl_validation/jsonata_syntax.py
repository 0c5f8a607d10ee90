"""JSONata expressions, written ``"{% <expression> %}"`` in JSONata states: the surround, then
the syntax, parsed with jsonata-python within bounds that keep hostile text from exhausting the
stack or the clock. ``None`` means valid; results are cached by expression text, because
generated machines repeat expressions."""

from __future__ import annotations

import re
from functools import lru_cache

from jsonata import Jsonata  # type: ignore[import-untyped]
from jsonata.jexception import JException  # type: ignore[import-untyped]

JSONATA_OPEN, JSONATA_CLOSE = "{%", "%}"


def looks_like_jsonata(text: str) -> bool:
    """True when a string is meant as a JSONata expression (it opens or closes the surround)."""
    return text.startswith(JSONATA_OPEN) or text.endswith(JSONATA_CLOSE)


MAX_JSONATA_LENGTH = 10_000
# The parser recurses a few frames per level: 200 levels stay far inside Python's stack.
MAX_JSONATA_NESTING = 200
_JSONATA_TOKEN = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|[()\[\]{}]""")


@lru_cache(maxsize=4096)
def jsonata_error(text: str) -> str | None:
    """Check a ``"{% ... %}"`` string: the surround, then the expression's syntax."""
    if not (text.startswith("{% ") and text.endswith(" %}") and len(text) >= 6):
        return (
            'a JSONata expression must be written "{% <expression> %}", with a space after '
            '"{%" and before "%}"'
        )
    inner = text[3:-3]
    if "\n" in inner or "\r" in inner:
        return (
            'a JSONata expression must be written on one line as "{% <expression> %}"; '
            "remove the line breaks"
        )
    if not inner.strip():
        return 'the JSONata expression between "{%" and "%}" is empty; write an expression'
    if len(inner) > MAX_JSONATA_LENGTH:
        # AWS documents no such limit; the parser takes ~0.15 ms a term, and a sum of 10,000
        # terms exhausts its stack, so longer text is refused before it is parsed.
        return (
            f"this JSONata expression is {len(inner):,} characters long; this check parses "
            f"expressions of up to {MAX_JSONATA_LENGTH:,} characters (a bound of its own, not "
            "AWS's): split it into smaller expressions (Assign variables in earlier states)"
        )
    nesting = _jsonata_nesting(inner)
    if nesting > MAX_JSONATA_NESTING:
        return (
            f"this JSONata expression nests parentheses, brackets and braces {nesting:,} deep; "
            f"this check parses up to {MAX_JSONATA_NESTING} levels (a bound of its own, not "
            "AWS's): split it into smaller expressions (Assign variables in earlier states)"
        )
    try:
        Jsonata(inner)
    except JException as error:
        return f"JSONata syntax error at character {error.location} of {inner!r}: {error}"
    except RecursionError:
        # The parser recurses once per nested term: thousands of nested parentheses, or a
        # sum of tens of thousands of terms, exhaust Python's stack before the parse ends.
        return (
            f"this JSONata expression ({len(inner):,} characters) nests too deeply to be "
            "parsed: split it into smaller expressions (Assign variables in earlier states)"
        )
    return None


def _jsonata_nesting(expression: str) -> int:
    """The deepest nesting of brackets outside string literals and quoted names."""
    depth = deepest = 0
    for match in _JSONATA_TOKEN.finditer(expression):
        token = match.group()
        if token in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in ")]}":
            depth -= 1
    return deepest
