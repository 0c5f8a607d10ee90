"""State machines (graph, versions, the `live` alias), executions (filtered by machine and
status) and one execution: its path on the graph, and every state's status, duration, input,
output, error and cause, and the logs and metrics of the jobs it ran."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from console import graph_svg
from console.execution_jobs import jobs_section
from console.history import last_status, read_history, visits
from console.page import esc, link, notice, pretty, status, table
from console.sources import Sources

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
MAX_EXECUTIONS = 200


def _machines(sfn: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in sfn.get_paginator("list_state_machines").paginate():
        found.extend(page["stateMachines"])
    return sorted(found, key=lambda m: m["name"])


def machines_page(src: Sources, args: Mapping[str, str]) -> tuple[str, str]:
    sfn = src.client("stepfunctions")
    rows = [
        [
            link(f"/machine?arn={quote(m['stateMachineArn'])}", m["name"]),
            esc(m.get("type", "")),
            esc(m.get("creationDate", "")),
            link(f"/executions?{urlencode({'machine': m['stateMachineArn']})}", "executions"),
        ]
        for m in _machines(sfn)
    ]
    return "State machines", table(["name", "type", "created", ""], rows, "no state machines")


def machine_page(src: Sources, args: Mapping[str, str]) -> tuple[str, str]:
    sfn = src.client("stepfunctions")
    arn = args.get("arn", "")
    described = sfn.describe_state_machine(stateMachineArn=arn)
    definition = json.loads(described["definition"])
    versions = sfn.list_state_machine_versions(stateMachineArn=arn).get("stateMachineVersions", [])
    aliases = sfn.list_state_machine_aliases(stateMachineArn=arn).get("stateMachineAliases", [])
    alias_rows = []
    for alias in aliases:
        routing = sfn.describe_state_machine_alias(
            stateMachineAliasArn=alias["stateMachineAliasArn"]
        )
        alias_rows.append(
            [
                esc(alias["stateMachineAliasArn"].rsplit(":", 1)[-1]),
                "<br>".join(
                    f"{esc(r['stateMachineVersionArn'].rsplit(':', 1)[-1])}: {esc(r['weight'])}%"
                    for r in routing.get("routingConfiguration", [])
                ),
            ]
        )
    version_rows = [
        [esc(v["stateMachineVersionArn"].rsplit(":", 1)[-1]), esc(v.get("creationDate", ""))]
        for v in versions
    ]
    body = (
        f"<p>{esc(arn)}</p>{graph_svg.render(definition)}"
        f"<h2>Aliases</h2>{table(['alias', 'routes to version: weight'], alias_rows)}"
        f"<h2>Versions</h2>{table(['version', 'published'], version_rows)}"
        f"<p>{link('/executions?' + urlencode({'machine': arn}), 'its executions')}</p>"
    )
    return described["name"], body


def _options(values: list[tuple[str, str]], chosen: str) -> str:
    return "".join(
        f'<option value="{esc(v)}"{" selected" if v == chosen else ""}>{esc(t)}</option>'
        for v, t in values
    )


def executions_page(src: Sources, args: Mapping[str, str]) -> tuple[str, str]:
    sfn = src.client("stepfunctions")
    machines = _machines(sfn)
    chosen, chosen_status = args.get("machine", ""), args.get("status", "")
    if chosen_status and chosen_status not in STATUSES:
        return "Executions", notice(f"status must be one of {', '.join(STATUSES)}", error=True)
    # Choosing in a list submits the form: the page's one piece of JavaScript.
    form = (
        '<form method="get" action="/executions" id="filter">machine <select name="machine" '
        'onchange="this.form.submit()">'
        + _options([("", "all")] + [(m["stateMachineArn"], m["name"]) for m in machines], chosen)
        + '</select> status <select name="status" onchange="this.form.submit()">'
        + _options([("", "any")] + [(s, s) for s in STATUSES], chosen_status)
        + "</select> <noscript><button>filter</button></noscript></form>"
    )
    found: list[tuple[str, dict[str, Any]]] = []
    for machine in machines:
        if chosen and machine["stateMachineArn"] != chosen:
            continue
        kwargs: dict[str, Any] = {"stateMachineArn": machine["stateMachineArn"]}
        if chosen_status:
            kwargs["statusFilter"] = chosen_status
        for page in sfn.get_paginator("list_executions").paginate(**kwargs):
            found.extend((machine["name"], e) for e in page["executions"])
            if len(found) >= MAX_EXECUTIONS:
                break
    found.sort(key=lambda item: str(item[1].get("startDate", "")), reverse=True)
    rows = [
        [
            link(f"/execution?arn={quote(e['executionArn'])}", e["name"]),
            esc(name),
            status(e["status"]),
            esc(e.get("startDate", "")),
            esc(e.get("stopDate", "")),
        ]
        for name, e in found[:MAX_EXECUTIONS]
    ]
    listing = table(["execution", "state machine", "status", "started", "stopped"], rows)
    return "Executions", form + listing


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.2f} s"


def execution_page(src: Sources, args: Mapping[str, str]) -> tuple[str, str]:
    sfn = src.client("stepfunctions")
    arn = args.get("arn", "")
    described = sfn.describe_execution(executionArn=arn)
    events = read_history(sfn, arn)
    found = visits(events)
    definition: dict[str, Any] = {}
    try:
        definition = json.loads(
            sfn.describe_state_machine_for_execution(executionArn=arn)["definition"]
        )
    except Exception as error:  # the graph is a help; the table below tells the same story
        graph = notice(f"no graph: {error}", error=True)
    else:
        graph = graph_svg.render(definition, last_status(found), [v.state for v in found])
    end = described.get("stopDate")
    rows = []
    for number, v in enumerate(found, 1):
        failures = "".join(
            f"<p><b>{esc(f.error)}</b> ({esc(f.kind)})</p>{pretty(f.cause)}" for f in v.failures
        )
        rows.append(
            [
                esc(number),
                f'<span class="state-name">{esc(v.state)}</span>',
                status(v.status),
                esc(_seconds(v.seconds(end))),
                pretty(v.input),
                pretty(v.output),
                failures,
            ]
        )
    summary = table(
        ["status", "state machine", "started", "stopped", "error", "cause"],
        [
            [
                status(described["status"]),
                link(
                    f"/machine?arn={quote(described['stateMachineArn'])}",
                    described["stateMachineArn"].rsplit(":", 1)[-1],
                ),
                esc(described.get("startDate", "")),
                esc(end or ""),
                esc(described.get("error", "")),
                pretty(described.get("cause", "")),
            ]
        ],
    )
    body = (
        f"{summary}{graph}<h2>States</h2>"
        + table(["#", "state", "status", "duration", "input", "output", "error and cause"], rows)
        + jobs_section(src.client, events)
        + f"<h2>Execution input and output</h2>{pretty(described.get('input'))}"
        + pretty(described.get("output"))
    )
    return described["name"], body
