"""``python -m tracker.scheduling``, run as a real subprocess."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.scheduling import __main__ as cli

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker.scheduling", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_schedules_a_plan_file(tmp_path: Path) -> None:
    # A(3) -SS+1-> B(2), A -FS-> C(4), deadline 8: T = 7 (C: 3..7), H = 8.
    # B: es 1, ef 3, lf 8, float 5, free T - ef = 4. C: lf 8, ls 4, float 1.
    # A: lf = min(8, SS: ls_B - 1 + 3 = 8, FS: ls_C = 4) = 4, float 1; free = min(0, 0) = 0.
    plan = {
        "activities": [
            {"id": "A", "duration": 3},
            {"id": "B", "duration": 2},
            {"id": "C", "duration": 4},
        ],
        "dependencies": [
            {"from": "A", "to": "B", "type": "SS", "lag": 1},
            {"from": "A", "to": "C"},
        ],
        "deadline": 8,
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    result = run_cli(str(path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(result.stdout) == {
        "project_duration": 7,
        "activities": {
            "A": {
                "es": 0,
                "ef": 3,
                "ls": 1,
                "lf": 4,
                "total_float": 1,
                "free_float": 0,
                "critical": False,
            },
            "B": {
                "es": 1,
                "ef": 3,
                "ls": 6,
                "lf": 8,
                "total_float": 5,
                "free_float": 4,
                "critical": False,
            },
            "C": {
                "es": 3,
                "ef": 7,
                "ls": 4,
                "lf": 8,
                "total_float": 1,
                "free_float": 0,
                "critical": False,
            },
        },
    }


def test_reads_stdin_and_reports_criticality() -> None:
    plan = {
        "activities": [{"id": "A", "duration": 2}, {"id": "B", "duration": 0, "earliest_start": 1}],
        "dependencies": [{"from": "A", "to": "B", "type": "FF", "lag": -1}],
    }
    result = run_cli("-", stdin=json.dumps(plan))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    # ef_B >= ef_A - 1 = 1, and B no earlier than 1: B at 1. T = 2.
    assert out["project_duration"] == 2
    assert out["activities"]["A"]["critical"] is True
    assert out["activities"]["B"] == {
        "es": 1,
        "ef": 1,
        "ls": 2,
        "lf": 2,
        "total_float": 1,
        "free_float": 1,
        "critical": False,
    }


BAD_INPUTS = [
    (
        '{"activities": [',
        "error: standard input is not valid JSON: Expecting value (line 1, column 17)",
    ),
    ("[1, 2]", "error: the plan must be a JSON object, got list"),
    ('{"dependencies": []}', "error: the plan: missing 'activities'"),
    ('{"activities": {"id": "A"}}', "error: 'activities' must be a JSON array, got dict"),
    ('{"activities": [{"id": "A"}]}', "error: activities[0]: missing 'duration'"),
    (
        '{"activities": [{"id": 7, "duration": 1}]}',
        "error: activities[0]: 'id' must be a non-empty string, got 7",
    ),
    (
        '{"activities": [{"id": "A", "duration": 2.5}]}',
        "error: activity 'A': duration must be a whole number of days >= 0, got 2.5",
    ),
    (
        '{"activities": [{"id": "A", "duration": -1}]}',
        "error: activity 'A': duration must be a whole number of days >= 0, got -1",
    ),
    (
        '{"activities": [{"id": "A", "duration": 1}], "dependencies": [{"from": "A", "to": "B"}]}',
        "error: link A -> B: unknown activity 'B'",
    ),
    (
        '{"activities": [{"id": "A", "duration": 1}], "dependencies": [{"from": "A"}]}',
        "error: dependencies[0]: missing 'to'",
    ),
    (
        '{"activities": [{"id": "A", "duration": 1}, {"id": "B", "duration": 1}],'
        ' "dependencies": [{"from": "A", "to": "B", "type": "XX"}]}',
        "error: link A -> B: unknown dependency type 'XX' (expected FS, SS, FF or SF)",
    ),
    (
        '{"activities": [{"id": "A", "duration": 1}, {"id": "B", "duration": 1}],'
        ' "dependencies": [{"from": "A", "to": "B"}, {"from": "B", "to": "A", "type": "SS"}]}',
        "error: dependency cycle: A -> B -> A",
    ),
    (
        '{"activities": [], "deadline": "soon"}',
        "error: deadline must be a whole number of days, got 'soon'",
    ),
]


# Each bad input in-process (fast), and a few end to end as a real subprocess.
SUBPROCESS_CASES = {0, 8, 11}


@pytest.mark.parametrize(("stdin", "message"), BAD_INPUTS, ids=[m for _, m in BAD_INPUTS])
def test_bad_input_exits_2_with_one_line(
    stdin: str, message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert cli.run(["-"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == message + "\n"


@pytest.mark.parametrize("case", sorted(SUBPROCESS_CASES))
def test_bad_input_in_a_subprocess(case: int) -> None:
    stdin, message = BAD_INPUTS[case]
    result = run_cli("-", stdin=stdin)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == message + "\n"


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = run_cli(str(missing))
    assert result.returncode == 2
    assert result.stderr == f"error: cannot read {missing}: No such file or directory\n"


def test_usage_errors() -> None:
    result = run_cli()
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("usage:")
    assert run_cli("--help").returncode == 0
