"""The page frame and the few HTML pieces every page uses. Every value passes `esc`: names,
inputs, outputs and causes come from the account and may hold markup."""

from __future__ import annotations

import contextlib
import html
import json
from collections.abc import Iterable, Sequence
from typing import Any

NAV = (
    ("/", "State machines"),
    ("/executions", "Executions"),
    ("/models", "Model registry"),
    ("/endpoints", "Endpoints"),
    ("/alarms", "Alarms"),
    ("/dashboards", "Dashboards"),
    ("/events", "Events and messages"),
)

_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;color:#16191f;background:#f2f3f3}
nav{background:#232f3e;padding:8px 16px}nav a{color:#fff;margin-right:18px;text-decoration:none}
main{padding:16px 24px}h1{font-size:22px}h2{font-size:17px;margin-top:24px}
table{border-collapse:collapse;background:#fff;margin:8px 0}td,th{border:1px solid #d5dbdb;
padding:4px 8px;text-align:left;vertical-align:top;font-size:13px}
pre{margin:0;max-width:640px;max-height:240px;overflow:auto;white-space:pre-wrap;font-size:12px}
.status-SUCCEEDED,.status-succeeded,.status-Approved,.status-InService,.status-OK{color:#1d8102}
.status-FAILED,.status-failed,.status-Rejected,.status-ALARM,.status-Failed,.status-TIMED_OUT,
.status-ABORTED{color:#d13212;font-weight:bold}
.status-RUNNING,.status-running,.status-PendingManualApproval{color:#8a6d00}
.notice{background:#fff;border-left:4px solid #0073bb;padding:8px 12px}
.error{border-left-color:#d13212}svg{background:#fff;border:1px solid #d5dbdb}
button{padding:4px 12px;margin-right:6px}
.dashboard{display:flex;flex-wrap:wrap;gap:12px}.widget{background:#fff;padding:6px;
border:1px solid #d5dbdb}.widget svg{width:100%;height:auto;border:0}.widget h3{font-size:15px}
"""


def esc(value: Any) -> str:
    """A value as HTML text: strings as they are, everything else as JSON or str."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return html.escape(text, quote=True)


def pretty(text: Any) -> str:
    """A JSON document (string or value) indented, escaped, in a <pre>; other text as it is."""
    if text is None or text == "":
        return ""
    if isinstance(text, str):
        with contextlib.suppress(ValueError):
            text = json.dumps(json.loads(text), indent=2, sort_keys=True)
    else:
        text = json.dumps(text, indent=2, sort_keys=True, default=str)
    return f"<pre>{esc(text)}</pre>"


def status(value: Any) -> str:
    word = esc(value)
    # The class name takes only the word's own characters: a hostile status stays text.
    css = "".join(c for c in str(value) if c.isalnum() or c == "_")
    return f'<span class="status-{css}">{word}</span>'


def link(href: str, text: Any) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], empty: str = "none") -> str:
    """Rows of already-escaped cells (use `esc`, `status`, `link`, `pretty` to make them)."""
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    if not body:
        return f"<p><em>{esc(empty)}</em></p>"
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    return f"<table><tr>{head}</tr>{body}</table>"


def notice(text: str, error: bool = False) -> str:
    return f'<p class="notice{" error" if error else ""}">{esc(text)}</p>'


def frame(title: str, body: str, source: str) -> str:
    """A whole page: the navigation, the title, the body (already HTML), where it reads from."""
    nav = "".join(link(href, text) for href, text in NAV)
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{esc(title)} - selfheal console</title><style>{_STYLE}</style></head>"
        f"<body><nav>{nav}</nav><main><h1>{esc(title)}</h1>{body}"
        f'<p style="color:#687078;font-size:12px">reading {esc(source)}</p></main></body></html>'
    )
