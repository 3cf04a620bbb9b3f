"""Reading the seed's YAML files (seed/README.md): which folders hold a programme, the files
themselves with dates left as text, and the checks every value gets as it is read, each
failure a SeedError naming the file, the item and the problem. No database here: the
loading is services/seeding.py's."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from tracker.domain.text import strip_bidi
from tracker.domain.validation import PLAUSIBLE_DATES, DateWindow, check_date_in_window


class SeedError(ValueError):
    """The seed files are wrong; the message names the file, the item and the problem."""


def programme_dirs(seed_root: str | Path) -> list[Path]:
    """Every folder under the seed root that holds a programme.yaml."""
    root = Path(seed_root)
    return sorted(p.parent for p in root.glob("*/programme.yaml"))


class _DatesAsText(yaml.SafeLoader):
    """YAML that leaves dates as text, so a bad date is reported with its file and item."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_DatesAsText)  # noqa: S506 (a SafeLoader)
    except FileNotFoundError as exc:
        raise SeedError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise SeedError(f"{path}: not valid YAML ({exc})") from exc


def seed_date(value: Any, where: str, window: DateWindow = PLAUSIBLE_DATES) -> date:
    """A date, in the window (the tracker's, or once it is read the programme's)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    else:
        try:
            day = date.fromisoformat(value if isinstance(value, str) else "")
        except ValueError:
            raise SeedError(f"{where}: '{value}' is not a date like 2022-07-01") from None
    for error in check_date_in_window("date", day, window):
        raise SeedError(f"{where}: {error.message}")
    return day


def optional_date(value: Any, where: str, window: DateWindow = PLAUSIBLE_DATES) -> date | None:
    return None if value is None else seed_date(value, where, window)


def required(item: dict[str, Any], key: str, where: str) -> Any:
    if key not in item or item[key] in (None, ""):
        raise SeedError(f"{where}: '{key}' is missing")
    # Titles and names: no bidirectional controls (tracker/domain/text.py).
    return strip_bidi(item[key]) if isinstance(item[key], str) else item[key]
