"""Risk scoring (tracker/domain/risks.py): bands, trend, overdue reviews, the heatmap."""

from __future__ import annotations

from datetime import date

import pytest

from config import Config
from tracker.domain.risks import (
    CONSEQUENCE_LEVELS,
    DEFAULT_BANDS,
    LIKELIHOOD_LEVELS,
    band_for,
    heatmap,
    parse_bands,
    review_overdue,
    trend,
)


@pytest.mark.parametrize(
    ("score", "band", "rag"),
    [
        (1, "low", "green"),
        (3, "low", "green"),
        (4, "moderate", "yellow"),
        (6, "moderate", "yellow"),
        (8, "high", "amber"),
        (12, "high", "amber"),
        (15, "extreme", "red"),
        (16, "extreme", "red"),
        (25, "extreme", "red"),
    ],
)
def test_default_bands_agree_with_the_seed_papers(score: int, band: str, rag: str) -> None:
    # Kent and Medway's development plan: 12 is Amber; 15 and 16 are Red.
    assert (band_for(score).name, band_for(score).rag) == (band, rag)


def test_configured_bands_default_to_the_nhs_ones() -> None:
    assert parse_bands(Config.RISK_BANDS) == DEFAULT_BANDS


def test_bands_can_be_configured() -> None:
    three = parse_bands("green:1:green, amber:10:amber, red:20:red")
    assert [band_for(s, three).name for s in (9, 10, 19, 20)] == ["green", "amber", "amber", "red"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("low:2:green", "must start at score 1"),
        ("low:1:green, high:1:red", "go up in score"),
        ("low:1:green, high", "not name:lowest-score:colour"),
        ("low:1:green, high:30:red", "above 25"),
    ],
)
def test_bad_band_configuration_is_named(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_bands(text)


def test_trend_since_last_review() -> None:
    assert [trend(16, 12), trend(9, 12), trend(12, 12), trend(12, None)] == [
        "up",
        "down",
        "same",
        "new",
    ]


def test_overdue_reviews() -> None:
    today = date(2022, 4, 4)
    assert review_overdue(date(2022, 4, 1), today)
    assert not review_overdue(date(2022, 4, 4), today)
    assert not review_overdue(None, today)
    assert not review_overdue(date(2022, 4, 1), today, status="closed")


def test_heatmap_counts_each_cell_top_row_most_likely() -> None:
    grid = heatmap([(4, 3), (4, 3), (5, 4), (1, 1)])
    assert [row[0].likelihood for row in grid] == [5, 4, 3, 2, 1]
    assert [cell.consequence for cell in grid[0]] == [1, 2, 3, 4, 5]
    assert grid[2][3].count == 2 and grid[2][3].score == 12 and grid[2][3].band.rag == "amber"
    assert grid[1][4].count == 1 and grid[1][4].band.name == "extreme"
    assert grid[4][0].count == 1
    assert sum(cell.count for row in grid for cell in row) == 4


def test_every_level_has_its_nhs_descriptor() -> None:
    assert [CONSEQUENCE_LEVELS[n][0] for n in range(1, 6)] == [
        "Negligible",
        "Minor",
        "Moderate",
        "Major",
        "Catastrophic",
    ]
    assert [LIKELIHOOD_LEVELS[n][0] for n in range(1, 6)] == [
        "Rare",
        "Unlikely",
        "Possible",
        "Likely",
        "Almost certain",
    ]
