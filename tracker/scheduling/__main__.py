"""Command line: ``python -m tracker.scheduling PLAN.json`` (``-`` reads stdin).

Input::

    {"activities": [{"id": "A", "duration": 3}, ...],
     "dependencies": [{"from": "A", "to": "B", "type": "FS", "lag": 0}, ...],
     "deadline": 20}

``type``, ``lag``, ``deadline`` and ``dependencies`` are optional; an activity may also
give ``earliest_start``, ``earliest_finish``, ``actual_start`` and ``actual_finish``.
Prints the schedule as JSON. Bad input prints one line on stderr and exits with status 2.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from .engine import Activity, Link, ScheduleError, schedule

USAGE = "usage: python -m tracker.scheduling PLAN.json  (use - to read standard input)"
_OPTIONAL_INTS = ("earliest_start", "earliest_finish", "actual_start", "actual_finish")


class InputError(Exception):
    """Bad command-line input; the message is one line."""


def _read(path: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"cannot read {path}: not UTF-8 text") from None


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"{where} must be a JSON object, got {type(value).__name__}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(f"{where} must be a JSON array, got {type(value).__name__}")
    return value


def _required(obj: dict[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise InputError(f"{where}: missing {key!r}")
    return obj[key]


def parse_plan(text: str, name: str = "input") -> tuple[list[Activity], list[Link], int | None]:
    """Turn the JSON plan into engine inputs; raises InputError for malformed input."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    plan = _object(data, "the plan")
    acts = []
    for k, raw in enumerate(_list(_required(plan, "activities", "the plan"), "'activities'")):
        where = f"activities[{k}]"
        item = _object(raw, where)
        act_id = _required(item, "id", where)
        if not isinstance(act_id, str) or not act_id:
            raise InputError(f"{where}: 'id' must be a non-empty string, got {act_id!r}")
        extra = {key: item[key] for key in _OPTIONAL_INTS if item.get(key) is not None}
        acts.append(Activity(act_id, _required(item, "duration", where), **extra))
    links = []
    for k, raw in enumerate(_list(plan.get("dependencies", []), "'dependencies'")):
        where = f"dependencies[{k}]"
        item = _object(raw, where)
        links.append(
            Link(
                _required(item, "from", where),
                _required(item, "to", where),
                item.get("type", "FS"),
                item.get("lag", 0),
            )
        )
    return acts, links, plan.get("deadline")


def run(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if len(argv) != 1:
        print(USAGE, file=sys.stderr)
        return 2
    path = argv[0]
    try:
        acts, links, deadline = parse_plan(_read(path), "standard input" if path == "-" else path)
        result = schedule(acts, links, deadline)
    except (InputError, ScheduleError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = {
        "project_duration": result.project_duration,
        "activities": {
            a.id: {
                "es": a.es,
                "ef": a.ef,
                "ls": a.ls,
                "lf": a.lf,
                "total_float": a.total_float,
                "free_float": a.free_float,
                "critical": a.critical,
            }
            for a in result.activities.values()
        },
    }
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
