"""Reading and writing Microsoft Project files for the app, through the MPXJ bridge.

MPXJ is Java (through JPype), and a JVM cannot be restarted or forked safely, so it never
runs in the web worker: each read or write starts `python -m tracker.project_files.bridge`
in a process of its own (about a second for Java to start) and speaks ProjectData JSON.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tracker.domain.project_data import ProjectData

log = logging.getLogger(__name__)

MAX_BYTES = 50 * 1024 * 1024
READ_TIMEOUT = 120  # seconds: a large .mpp takes a few seconds; a hung JVM must not stay
WRITE_TIMEOUT = 120
BRIDGE = "tracker.project_files.bridge"
# Where the bridge's `tracker` package is: the directory above tracker/.
_ROOT = Path(__file__).resolve().parents[2]

NO_JAVA = (
    "Microsoft Project files cannot be read or made on this server: it needs a Java runtime "
    "(on Debian, the default-jre-headless package; `make install` adds it)."
)


class ProjectFileError(Exception):
    """A Project file could not be read or written. `kind` names the problem for code
    (not_a_project_file, password_protected, unreadable, empty, too_large, timeout,
    no_java, unwritable, bridge_failed); `message` is in words for the programme office."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return self.message


def java_available() -> bool:
    """True when a Java runtime is there for MPXJ: `java` on the PATH or JAVA_HOME set."""
    if shutil.which("java") is not None:
        return True
    home = os.environ.get("JAVA_HOME")
    return home is not None and home != "" and Path(home, "bin", "java").exists()


def read_project(path: Path) -> ProjectData:
    """The plan in a .mpp, MSPDI (Project XML) or other MPXJ-readable file."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ProjectFileError("unreadable", f"The file could not be opened: {exc}") from exc
    # Refused by size before Java starts: a 50 MB plan is far beyond any transition's.
    if size == 0:
        raise ProjectFileError("empty", "The file is empty: there is no plan in it.")
    if size > MAX_BYTES:
        raise ProjectFileError(
            "too_large",
            f"The file is {size / 1024 / 1024:.1f} MB: the most the tracker reads is "
            f"{MAX_BYTES // 1024 // 1024} MB.",
        )
    result = _run_bridge(
        ["read", str(path.resolve())],
        stdin=None,
        timeout=READ_TIMEOUT,
        too_slow="Reading the file took longer than {seconds} seconds and was stopped. If it "
        "is a very large plan, save a copy with only the transition's tasks and upload that.",
    )
    try:
        return ProjectData.from_json(result)
    except (KeyError, TypeError, ValueError) as exc:
        raise ProjectFileError(
            "bridge_failed", f"The plan read from the file was not understood: {exc}"
        ) from exc


def write_mspdi(project: ProjectData) -> bytes:
    """`project` as MSPDI XML (Microsoft Project's "Save as XML"), as bytes."""
    payload = json.dumps(project.as_json())
    with tempfile.TemporaryDirectory(prefix="tracker-mspdi-") as folder:
        out = Path(folder, "plan.xml")
        _run_bridge(
            ["write", str(out)],
            stdin=payload,
            timeout=WRITE_TIMEOUT,
            too_slow="Making the Microsoft Project file took longer than {seconds} seconds "
            "and was stopped.",
        )
        return out.read_bytes()


def _run_bridge(
    args: list[str], stdin: str | None, timeout: float, too_slow: str
) -> dict[str, Any]:
    if not java_available():
        raise ProjectFileError("no_java", NO_JAVA)
    env = dict(os.environ)
    # The bridge imports `tracker` from this checkout whatever the caller's directory.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), env.get("PYTHONPATH", "")) if p)
    try:
        done = subprocess.run(  # noqa: S603 (our own interpreter and module, no shell)
            [sys.executable, "-m", BRIDGE, *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=_ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ProjectFileError("timeout", too_slow.format(seconds=f"{timeout:g}")) from exc
    answer = _last_json(done.stdout)
    if answer is not None and "error" in answer:
        raise ProjectFileError(str(answer["error"]), str(answer.get("message") or ""))
    if done.returncode != 0 or answer is None:
        log.error("MPXJ bridge %s exited %s: %s", args[0], done.returncode, done.stderr)
        detail = (done.stderr or "").strip().splitlines()
        raise ProjectFileError(
            "bridge_failed",
            "The Microsoft Project reader stopped unexpectedly"
            + (f": {detail[-1]}" if detail else f" (exit status {done.returncode})."),
        )
    return answer


def _last_json(stdout: str) -> dict[str, Any] | None:
    """The bridge's answer: its last non-blank line of stdout, as a JSON object."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        return None
    try:
        value = json.loads(lines[-1])
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
