"""The RAID log as its pages show it: the risk register's rows and filters, references
(R01, I01, D01) and searching. Plain data in and out; the scores' rules are in risks.py."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from tracker.domain.risks import (
    DEFAULT_BANDS,
    Band,
    Cell,
    band_for,
    heatmap,
    previous_score,
    review_overdue,
    trend,
)

RISK_PREFIX, ISSUE_PREFIX, DECISION_PREFIX = "R", "I", "D"
STATUSES = ("open", "closed")


@dataclass(frozen=True)
class RiskRow:
    """One risk with its figures worked out: band, trend since the last review, overdue."""

    id: int
    ref: str
    title: str
    owner: str
    owner_id: int
    workstream: str | None  # its code; None for a programme-wide risk
    consequence: int
    likelihood: int
    target_consequence: int
    target_likelihood: int
    status: str
    raised_on: date
    review_on: date | None
    band: Band
    target_band: Band
    trend: str  # "up", "down", "same", "new"
    previous_score: int | None
    review_overdue: bool
    milestones: tuple[str, ...] = ()
    description: str = ""

    @property
    def score(self) -> int:
        return self.consequence * self.likelihood

    @property
    def target_score(self) -> int:
        return self.target_consequence * self.target_likelihood


def risk_row(
    *,
    id: int,
    ref: str,
    title: str,
    owner: str,
    owner_id: int,
    workstream: str | None,
    consequence: int,
    likelihood: int,
    target_consequence: int,
    target_likelihood: int,
    status: str,
    raised_on: date,
    review_on: date | None,
    reviewed: Sequence[int],
    today: date,
    bands: Iterable[Band] = DEFAULT_BANDS,
    milestones: Iterable[str] = (),
    description: str = "",
) -> RiskRow:
    """`reviewed` holds the score recorded at each review, oldest first."""
    bands = tuple(bands)
    score = consequence * likelihood
    previous = previous_score(score, reviewed)
    return RiskRow(
        id=id,
        ref=ref,
        title=title,
        owner=owner,
        owner_id=owner_id,
        workstream=workstream,
        consequence=consequence,
        likelihood=likelihood,
        target_consequence=target_consequence,
        target_likelihood=target_likelihood,
        status=status,
        raised_on=raised_on,
        review_on=review_on,
        band=band_for(score, bands),
        target_band=band_for(target_consequence * target_likelihood, bands),
        trend=trend(score, previous),
        previous_score=previous,
        review_overdue=review_overdue(review_on, today, status),
        milestones=tuple(milestones),
        description=description,
    )


@dataclass(frozen=True)
class RiskFilter:
    """What the register shows. None (or "") means any."""

    status: str | None = "open"
    workstream: str | None = None  # a code, or "none" for programme-wide risks
    band: str | None = None
    owner_id: int | None = None
    text: str = ""
    consequence: int | None = None
    likelihood: int | None = None
    milestone: str | None = None  # risks that threaten this milestone
    overdue: bool = False

    def without_cell(self) -> RiskFilter:
        return replace(self, consequence=None, likelihood=None)


def matches(text: str, *fields: str | None) -> bool:
    """Every word of the search appears somewhere in the fields, ignoring case."""
    haystack = " ".join(f for f in fields if f).casefold()
    return all(word in haystack for word in text.casefold().split())


def _keep(row: RiskRow, f: RiskFilter) -> bool:
    if f.status and row.status != f.status:
        return False
    if f.workstream == "none" and row.workstream is not None:
        return False
    if f.workstream and f.workstream != "none" and row.workstream != f.workstream:
        return False
    if f.band and row.band.name != f.band:
        return False
    if f.owner_id is not None and row.owner_id != f.owner_id:
        return False
    if f.consequence is not None and row.consequence != f.consequence:
        return False
    if f.likelihood is not None and row.likelihood != f.likelihood:
        return False
    if f.milestone and f.milestone not in row.milestones:
        return False
    if f.overdue and not row.review_overdue:
        return False
    return not f.text or matches(f.text, row.ref, row.title, row.description)


def select_risks(rows: Iterable[RiskRow], f: RiskFilter) -> list[RiskRow]:
    """The risks the filter keeps, highest current score first."""
    return sorted((r for r in rows if _keep(r, f)), key=lambda r: (-r.score, r.ref))


def risk_heatmap(
    rows: Iterable[RiskRow], f: RiskFilter, bands: Iterable[Band] = DEFAULT_BANDS
) -> list[list[Cell]]:
    """The 5 x 5 grid of the risks the filter keeps, whatever cell it points at (so the
    grid still shows where the others are)."""
    return heatmap(
        ((r.consequence, r.likelihood) for r in select_risks(rows, f.without_cell())), bands
    )


def refs_by_cell(rows: Iterable[RiskRow]) -> dict[tuple[int, int], list[str]]:
    """The references in each heatmap cell, by (consequence, likelihood), highest score first."""
    found: dict[tuple[int, int], list[str]] = {}
    for row in sorted(rows, key=lambda r: (-r.score, r.ref)):
        found.setdefault((row.consequence, row.likelihood), []).append(row.ref)
    return found


def next_ref(prefix: str, existing: Iterable[str]) -> str:
    """The next free reference: R01, R02 ... R99, R100. Gaps are not reused."""
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    numbers = [int(m.group(1)) for ref in existing if (m := pattern.match(ref))]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def parse_refs(text: str | None) -> list[str]:
    """Milestone references as typed: "peo-09, PEO-14 GOV-99" -> ["PEO-09", "PEO-14", "GOV-99"],
    each once, in the order given."""
    found: list[str] = []
    for part in re.split(r"[\s,;]+", text or ""):
        ref = part.strip().upper()
        if ref and ref not in found:
            found.append(ref)
    return found
