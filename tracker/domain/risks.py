"""Risk scoring on the NHS 5 x 5 matrix: bands, trend, overdue reviews and the heatmap.

Score = consequence x likelihood, each 1 to 5. The bands are configurable (RISK_BANDS); the
default is the NHS's usual one, which agrees with the Kent and Medway papers: 12 is high
(Amber), 15 and 16 are extreme (Red).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

# The words the NHS risk matrix gives each level.
CONSEQUENCE_LEVELS = {
    1: ("Negligible", "Minimal injury or impact; no delay to the transition; no media interest."),
    2: ("Minor", "Short delay to a milestone recovered within the workstream; minor complaint."),
    3: ("Moderate", "Delay to a key milestone recovered within the programme; local media."),
    4: ("Major", "Delay that threatens the go-live date or a statutory duty; national media."),
    5: ("Catastrophic", "Go-live missed or the ICB cannot discharge its statutory duties."),
}
LIKELIHOOD_LEVELS = {
    1: ("Rare", "Not expected to happen; will only occur in exceptional circumstances."),
    2: ("Unlikely", "Not expected to happen, but it is possible."),
    3: ("Possible", "Might happen or recur occasionally."),
    4: ("Likely", "Will probably happen or recur, but is not a persisting issue."),
    5: ("Almost certain", "Will undoubtedly happen or recur, possibly frequently."),
}


@dataclass(frozen=True)
class Band:
    name: str  # "low", "moderate", "high", "extreme"
    lowest: int  # the lowest score in the band
    rag: str  # "green", "yellow", "amber", "red"


DEFAULT_BANDS: tuple[Band, ...] = (
    Band("low", 1, "green"),
    Band("moderate", 4, "yellow"),
    Band("high", 8, "amber"),
    Band("extreme", 15, "red"),
)


def parse_bands(text: str) -> tuple[Band, ...]:
    """Bands from configuration like "low:1:green, moderate:4:yellow, high:8:amber,
    extreme:15:red": each band's name, lowest score and colour, lowest first from 1."""
    bands = []
    for part in text.split(","):
        try:
            name, lowest, rag = (p.strip() for p in part.split(":"))
            bands.append(Band(name, int(lowest), rag))
        except ValueError as exc:
            raise ValueError(f"'{part.strip()}' is not name:lowest-score:colour") from exc
    if not bands or bands[0].lowest != 1:
        raise ValueError("the first band must start at score 1")
    if any(b.lowest >= c.lowest for b, c in zip(bands, bands[1:], strict=False)):
        raise ValueError("bands must go up in score")
    if bands[-1].lowest > 25:
        raise ValueError("a band starts above 25, the highest score")
    return tuple(bands)


def band_for(score: int, bands: Iterable[Band] = DEFAULT_BANDS) -> Band:
    found = None
    for band in bands:
        if score >= band.lowest:
            found = band
    if found is None:
        raise ValueError(f"{score} is below every band")
    return found


def trend(current: int, previous: int | None) -> str:
    """Since the last review: "up", "down", "same", or "new" when never reviewed."""
    if previous is None:
        return "new"
    return "up" if current > previous else "down" if current < previous else "same"


def review_overdue(review_on: date | None, today: date, status: str = "open") -> bool:
    return status == "open" and review_on is not None and review_on < today


@dataclass(frozen=True)
class Cell:
    consequence: int
    likelihood: int
    count: int
    band: Band

    @property
    def score(self) -> int:
        return self.consequence * self.likelihood


def heatmap(
    scores: Iterable[tuple[int, int]], bands: Iterable[Band] = DEFAULT_BANDS
) -> list[list[Cell]]:
    """The 5 x 5 grid as it is drawn: rows of likelihood 5 (top) down to 1, each with
    consequence 1 to 5 left to right, holding how many risks sit in each cell."""
    bands = tuple(bands)
    counts: dict[tuple[int, int], int] = {}
    for consequence, likelihood in scores:
        counts[(consequence, likelihood)] = counts.get((consequence, likelihood), 0) + 1
    return [
        [
            Cell(c, likelihood, counts.get((c, likelihood), 0), band_for(c * likelihood, bands))
            for c in range(1, 6)
        ]
        for likelihood in range(5, 0, -1)
    ]


def previous_score(current: int, reviewed: Sequence[int]) -> int | None:
    """The score the trend compares with, given the scores recorded at each review (oldest
    first): the last review's, or the one before it when the last review set the current
    score. None before the first review."""
    if not reviewed:
        return None
    if reviewed[-1] != current or len(reviewed) == 1:
        return reviewed[-1]
    return reviewed[-2]


def trend_since_review(current: int, reviewed: Sequence[int]) -> str:
    """ "up", "down" or "same" since the last review; "new" before the first one."""
    return trend(current, previous_score(current, reviewed))


# The scores a 5 x 5 matrix can give: 7, 11, 13, 14 and 17 to 19 cannot happen.
POSSIBLE_SCORES = tuple(sorted({c * likelihood for c in range(1, 6) for likelihood in range(1, 6)}))


def band_ranges(bands: Iterable[Band] = DEFAULT_BANDS) -> list[tuple[Band, int, int]]:
    """Each band with the lowest and highest score that can fall in it: low 1 to 3,
    moderate 4 to 6, high 8 to 12, extreme 15 to 25. Bands no score can reach are left out."""
    bands = tuple(bands)
    found = []
    for band in bands:
        scores = [s for s in POSSIBLE_SCORES if band_for(s, bands) == band]
        if scores:
            found.append((band, scores[0], scores[-1]))
    return found


def cells_by_score(grid: list[list[Cell]]) -> list[Cell]:
    """The heatmap's cells that hold risks, highest score first: the grid as a plain table."""
    cells = [cell for row in grid for cell in row if cell.count]
    return sorted(cells, key=lambda c: (-c.score, -c.consequence, -c.likelihood))
