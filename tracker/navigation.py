"""The programme's sections in the header, and the programme switcher.

One list of sections serves the header's links and the switcher, which keeps the reader in
the same section when they change programme (the Gantt chart of one ICB to the Gantt chart
of the next).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, request, url_for

from tracker.domain.permissions import Viewer

if TYPE_CHECKING:
    from tracker.models import Programme


@dataclass(frozen=True)
class Section:
    endpoint: str  # its landing page; takes the programme's slug and nothing else
    text: str
    # Endpoints (or their beginnings) of the pages that belong to the section.
    pages: tuple[str, ...]
    shown_to: Callable[[Viewer, bool], bool] = lambda viewer, leads_here: True

    def contains(self, endpoint: str) -> bool:
        return any(
            endpoint == p or (p.endswith(".") and endpoint.startswith(p)) for p in self.pages
        )


SECTIONS = (
    Section(
        "updates.my_workstreams",
        "My workstreams",
        ("updates.",),
        lambda viewer, leads_here: leads_here,
    ),
    Section("dashboard.show", "Dashboard", ("dashboard.",)),
    Section("plan.gantt", "Gantt chart", ("plan.gantt",)),
    Section(
        "plan.milestones", "Milestones", ("plan.milestones", "plan.milestone", "plan.workstream")
    ),
    Section("risks.index", "Risks", ("risks.",)),
    Section(
        "issues.index",
        "Issues",
        ("issues.index", "issues.new", "issues.edit", "issues.close"),
    ),
    Section("decisions.index", "Decisions", ("decisions.index", "decisions.new", "decisions.edit")),
    Section(
        "plan.baseline_comparison",
        "Baselines",
        (
            "plan.baseline_comparison",
            "plan.baseline_comparison_csv",
            "plan.baseline_comparison_xlsx",
        ),
    ),
    Section("health.show", "Plan health", ("health.",)),
    Section("schedule_risk.show", "Chance of go-live", ("schedule_risk.",)),
    Section("scenarios.index", "Scenarios", ("scenarios.",)),
    Section("board_pack.show", "Board pack", ("board_pack.",)),
    Section("history.index", "History", ("history.",)),
    Section("spreadsheets.index", "Export", ("spreadsheets.",)),
    Section(
        "plan_edits.index", "Plan settings", ("plan_edits.",), lambda viewer, _: viewer.is_admin
    ),
    Section("people.index", "People", ("people.",), lambda viewer, _: viewer.is_admin),
    Section("digests.index", "Weekly digest", ("digests.",), lambda viewer, _: viewer.is_admin),
    Section(
        "programme_admin.settings",
        "Programme settings",
        ("programme_admin.", "programme_templates."),
        lambda viewer, _: viewer.is_admin,
    ),
)


def current_section(endpoint: str | None) -> Section | None:
    return next((s for s in SECTIONS if endpoint and s.contains(endpoint)), None)


def header_links(programme: Programme, viewer: Viewer) -> list[dict[str, Any]]:
    """The header's links for this programme, in the shape NHS.UK's header macro takes."""
    from tracker.services.programmes import leads_in

    leads_here = leads_in(viewer, programme)
    here = current_section(request.endpoint)
    return [
        {
            "href": url_for(section.endpoint, slug=programme.slug),
            "text": section.text,
            "current": section is here,
        }
        for section in SECTIONS
        if section.shown_to(viewer, leads_here)
    ]


def switcher(programme: Programme) -> dict[str, Any] | None:
    """What the programme switcher needs, or None when there is only one programme."""
    from tracker.security import current_viewer
    from tracker.services.programmes import list_programmes

    found = list_programmes(current_viewer())
    if len(found) < 2:
        return None
    here = current_section(request.endpoint)
    return {
        "programmes": found,
        "current": programme,
        "page": here.endpoint if here else "dashboard.show",
    }


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(header_links=header_links, switcher_choices=switcher)
