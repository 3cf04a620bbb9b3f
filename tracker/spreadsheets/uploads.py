"""An upload kept on the server between its preview and the confirm.

The file is written to the instance folder (`PLAN_IMPORT_DIR` if set) under a random name;
the session, which is signed and so cannot be forged, holds only that name, the programme and
a fingerprint of what the preview showed. Nothing the browser sends back is trusted: confirm
reads the kept file and checks it against the plan again, unless the plan is as it was when
the file was last checked: that check is kept beside the file (`<name>.check`, as text:
tracker/domain/plan_sheets/kept.py), with the stamp of the plan it was made against. A kept
file is deleted on confirm or cancel, when a newer upload replaces it, and after an hour.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, session

from tracker.domain.plan_sheets import KeptCheck, kept_from_text, kept_text

SESSION_KEY = "plan_import"
MAX_AGE_SECONDS = 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class PendingImport:
    slug: str
    filename: str
    data: bytes
    fingerprint: str  # what the last preview showed


def _folder() -> Path:
    configured = current_app.config.get("PLAN_IMPORT_DIR")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    """Delete uploads nobody confirmed or cancelled within the hour."""
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in [*folder.glob("*.upload"), *folder.glob("*.check"), *folder.glob("*.part")]:
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:  # another worker swept it first
            pass


def _kept_path() -> Path | None:
    kept = session.get(SESSION_KEY)
    token = str(kept.get("token", "")) if isinstance(kept, dict) else ""
    return _folder() / f"{token}.upload" if _TOKEN.match(token) else None


def keep(slug: str, filename: str, data: bytes, fingerprint: str) -> None:
    """Keep an upload that passed its checks until it is confirmed or cancelled."""
    discard()
    folder = _folder()
    _sweep(folder)
    token = secrets.token_urlsafe(24)
    descriptor = os.open(folder / f"{token}.upload", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    session[SESSION_KEY] = {
        "token": token,
        "slug": slug,
        "filename": filename,
        "fingerprint": fingerprint,
    }


def pending(slug: str) -> PendingImport | None:
    """This session's kept upload for the programme, unless it has expired or gone."""
    path = _kept_path()
    kept = session.get(SESSION_KEY)
    if path is None or not isinstance(kept, dict) or kept.get("slug") != slug:
        return None
    try:
        if time.time() - path.stat().st_mtime > MAX_AGE_SECONDS:
            discard()
            return None
        data = path.read_bytes()
    except FileNotFoundError:
        session.pop(SESSION_KEY, None)
        return None
    return PendingImport(slug, str(kept["filename"]), data, str(kept["fingerprint"]))


def remember_preview(fingerprint: str) -> None:
    kept = session.get(SESSION_KEY)
    if isinstance(kept, dict):
        session[SESSION_KEY] = {**kept, "fingerprint": fingerprint}


def keep_check(kept: KeptCheck) -> None:
    """Keep the last check of this session's upload, for the next step to use while the plan
    is as it was (replacing the one before)."""
    path = _kept_path()
    if path is None:
        return
    spare = path.with_suffix(f".{secrets.token_hex(4)}.part")
    descriptor = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(kept_text(kept))
    os.replace(spare, path.with_suffix(".check"))  # whole or not at all, for another worker


def kept_check() -> KeptCheck | None:
    """The last check of this session's upload, if there is one and it reads back."""
    path = _kept_path()
    try:
        return kept_from_text(path.with_suffix(".check").read_text("utf-8")) if path else None
    except (FileNotFoundError, UnicodeDecodeError):
        return None


def discard() -> None:
    path = _kept_path()
    session.pop(SESSION_KEY, None)
    if path is not None:
        path.unlink(missing_ok=True)
        path.with_suffix(".check").unlink(missing_ok=True)
