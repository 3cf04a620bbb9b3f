"""What the accessibility statement says was tested, kept in one place with the tests.

`TESTED_PAGES` is the list the browser tests iterate (tests/browser/test_narrow.py): each page
is opened in headless Chromium as the person named, checked with axe-core at WCAG 2.2 AA at
1,400 px and at 375 px wide, and checked not to scroll sideways at 375 px. The pages marked
`keyboard` are also gone through with the Tab key alone. The statement lists these pages
from this list, so it cannot claim a page was tested that the tests do not open
(tests/test_accessibility_statement.py checks both ends).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# When the statement was first prepared and last reviewed against the tests.
PREPARED_ON = date(2026, 12, 4)
REVIEWED_ON = date(2026, 12, 4)

# Who each test signs in as (the seeded Kent and Medway accounts).
SIGNED_IN_AS = {
    "anonymous": "not signed in",
    "board": "a board member",
    "lead": "a workstream lead",
    "admin": "the programme office",
}


@dataclass(frozen=True)
class TestedPage:
    __test__ = False  # not a test class, though the tests import it

    name: str  # as the statement lists it
    path: str  # "{p}" stands for the programme's address, /p/<slug>
    role: str  # a key of SIGNED_IN_AS
    keyboard: bool = False  # also gone through with the Tab key alone

    def address(self, programme: str = "/p/kent-and-medway") -> str:
        return self.path.replace("{p}", programme)


TESTED_PAGES: tuple[TestedPage, ...] = (
    TestedPage("Sign in", "/sign-in", "anonymous", keyboard=True),
    TestedPage("Accessibility statement", "/accessibility", "anonymous", keyboard=True),
    TestedPage("Programmes", "/programmes/", "admin"),
    TestedPage("Dashboard", "{p}/", "board"),
    TestedPage("My workstreams", "{p}/my-workstreams", "lead", keyboard=True),
    TestedPage("Gantt chart", "{p}/gantt", "board"),
    TestedPage("Milestone list", "{p}/milestones/", "board"),
    TestedPage("Milestone list, second page", "{p}/milestones/?page=2", "board"),
    TestedPage("Milestone page", "{p}/milestones/PEO-09", "lead"),
    TestedPage("Mark a milestone complete", "{p}/milestones/PEO-09/complete", "lead"),
    TestedPage("Set a forecast date", "{p}/milestones/PEO-09/forecast", "lead"),
    TestedPage("Mark a milestone blocked", "{p}/milestones/PEO-09/block", "lead"),
    TestedPage("Weekly highlight", "{p}/workstreams/PEO/highlight", "lead"),
    TestedPage("Workstream page", "{p}/workstreams/PEO", "board"),
    TestedPage("Risk register", "{p}/risks/", "board"),
    TestedPage("Risk page", "{p}/risks/R03", "board"),
    TestedPage("New risk", "{p}/risks/new", "admin"),
    TestedPage("Issue log", "{p}/issues/", "board"),
    TestedPage("New issue", "{p}/issues/new", "admin"),
    TestedPage("Decision log", "{p}/decisions/", "board"),
    TestedPage("Baselines", "{p}/baselines/", "board"),
    TestedPage("History", "{p}/history", "board"),
    TestedPage("Plan health", "{p}/health", "board"),
    TestedPage("Plan health thresholds", "{p}/health/thresholds", "admin"),
    TestedPage("Chance of making go-live", "{p}/schedule-risk", "board"),
    TestedPage("Scenarios", "{p}/scenarios/", "board"),
    TestedPage("What if a milestone slips", "{p}/scenarios/quick?ref=PEO-09&days=10", "lead"),
    TestedPage("Plan settings", "{p}/plan-settings", "admin"),
    TestedPage("New milestone", "{p}/milestones/new", "admin"),
    TestedPage("Edit a milestone", "{p}/milestones/PEO-09/edit", "admin"),
    TestedPage("New dependency", "{p}/milestones/PEO-09/dependencies/new", "admin"),
    TestedPage("Move go-live", "{p}/go-live", "admin"),
    TestedPage("New baseline", "{p}/baselines/new", "admin"),
    TestedPage("Programme settings", "{p}/settings", "admin"),
    TestedPage("Workstreams", "{p}/settings/workstreams", "admin"),
    TestedPage("New workstream", "{p}/settings/workstreams/new", "admin"),
    TestedPage("Save as a template", "{p}/save-as-template", "admin"),
    TestedPage("People", "{p}/people", "admin"),
    TestedPage("Invite a person", "{p}/people/new", "admin"),
    TestedPage("Spreadsheets", "{p}/spreadsheets/", "admin"),
    TestedPage("Import a plan", "{p}/import", "admin"),
    TestedPage("Import from Microsoft Project", "{p}/import/project", "admin"),
    TestedPage("Weekly digest", "{p}/digest/", "admin"),
    TestedPage("User accounts", "/users/", "admin"),
    TestedPage("New user account", "/users/new", "admin"),
    TestedPage("New programme", "/programmes/new", "admin"),
    TestedPage("Calendar feed", "/account/calendar", "board"),
    TestedPage("API tokens", "/account/api-tokens", "board"),
    TestedPage("Email settings", "/account/email", "board"),
    TestedPage("Change password", "/account/password", "board"),
)
