"""Loading a programme from the human-editable YAML files under seed/.

Loading is idempotent: people and accounts are created when missing, and a programme that is
already in the database is left alone (so nothing done in the app is overwritten). `reset`
deletes the programme first and loads it afresh.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from werkzeug.security import generate_password_hash

from tracker.domain.notation import parse_predecessor
from tracker.domain.terms import MilestoneKind, MilestoneStatus, Role
from tracker.domain.validation import (
    PLAUSIBLE_DATES,
    go_live_window,
    programme_window,
)
from tracker.extensions import db
from tracker.models import (
    Baseline,
    BaselineItem,
    CalendarClosure,
    Decision,
    Dependency,
    GoLiveTarget,
    Issue,
    Membership,
    Milestone,
    Person,
    Programme,
    Risk,
    RiskAction,
    RiskReview,
    StatusUpdate,
    User,
    Workstream,
    WorkstreamLead,
)
from tracker.scheduling import Activity, CycleError, Link, schedule
from tracker.services.seed_files import (
    SeedError,
    optional_date,
    read_yaml,
    required,
    seed_date,
)
from tracker.services.unit_of_work import unit_of_work


@dataclass
class SeedReport:
    programme: str
    slug: str
    loaded: bool  # False when the programme was already there
    counts: Counter[str] = field(default_factory=Counter)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # email, role, name


class _Loader:
    def __init__(self, folder: Path, password: str | None) -> None:
        self.folder = folder
        self.password_hash = generate_password_hash(password) if password else None
        self.people: dict[str, Person] = {}
        # Each person's role in the programme: their account's, or viewer with no account.
        self.roles: dict[str, str] = {}
        self.window = PLAUSIBLE_DATES  # the programme's, once programme.yaml is read

    def day(self, value: Any, where: str) -> date:
        return seed_date(value, where, self.window)

    def opt_day(self, value: Any, where: str) -> date | None:
        return optional_date(value, where, self.window)

    def where(self, name: str) -> str:
        return str(self.folder / name)

    def person(self, key: Any, where: str) -> Person:
        if key not in self.people:
            raise SeedError(f"{where}: '{key}' is not a person in people.yaml")
        return self.people[key]

    def load_people(self, report: SeedReport) -> None:
        data = read_yaml(self.folder / "people.yaml") or {}
        for index, item in enumerate(data.get("people", []), start=1):
            where = f"{self.where('people.yaml')}, person {index}"
            key = required(item, "key", where)
            email = str(required(item, "email", where)).strip().lower()
            if not email.endswith("@example.org"):
                raise SeedError(f"{where}: seeded people use example.org addresses, not {email}")
            person = db.session.scalar(select(Person).where(Person.email == email))
            if person is None:
                person = Person(
                    name=required(item, "name", where),
                    job_title=item.get("job_title", ""),
                    directorate=item.get("directorate", ""),
                    email=email,
                )
                db.session.add(person)
                report.counts["people"] += 1
            self.people[key] = person
            role = item.get("account", "none")
            if role == "none":
                self.roles[key] = Role.VIEWER.value
                continue
            if role not in {Role.ADMIN, Role.LEAD, Role.BOARD}:
                raise SeedError(f"{where}: account '{role}' must be admin, lead, board or none")
            self.roles[key] = role
            if person.user is None:
                # The seed's programme office also starts the next programmes.
                person.user = User(
                    is_instance_admin=role == Role.ADMIN, password_hash=self.password_hash
                )
                report.counts["accounts"] += 1
            report.accounts.append((email, role, person.name))

    def load_memberships(self, programme: Programme) -> None:
        """Everyone in people.yaml belongs to the programme, with their account's role."""
        for key, person in self.people.items():
            db.session.add(Membership(person=person, programme=programme, role=self.roles[key]))

    def load_programme(self, report: SeedReport, data: dict[str, Any]) -> Programme:
        where = self.where("programme.yaml")
        targets = data.get("go_live_targets") or []
        if not targets:
            raise SeedError(f"{where}: 'go_live_targets' needs at least one date")
        programme = Programme(
            slug=required(data, "slug", where),
            name=required(data, "name", where),
            from_organisation=required(data, "from_organisation", where),
            to_organisation=required(data, "to_organisation", where),
            start_date=self.day(required(data, "start_date", where), f"{where}, start_date"),
            go_live_date=self.day(targets[-1].get("date"), f"{where}, last go-live target"),
            go_live_ref=data.get("go_live_ref"),
            calendar_region=data.get("calendar_region", "ENG"),
        )
        # Go-live within ten years of the start; then every other date in the programme's window.
        seed_date(
            targets[-1].get("date"),
            f"{where}, last go-live target",
            go_live_window(programme.start_date),
        )
        self.window = programme_window(programme.start_date, programme.go_live_date)
        for i, target in enumerate(targets, start=1):
            w = f"{where}, go-live target {i}"
            programme.go_live_targets.append(
                GoLiveTarget(
                    target_date=self.day(target.get("date"), w),
                    set_on=self.day(target.get("set_on"), w),
                    reason=required(target, "reason", w),
                )
            )
        for closure in data.get("closures") or []:
            programme.closures.append(
                CalendarClosure(
                    closed_on=self.day(closure.get("date"), f"{where}, closures"),
                    reason=closure.get("reason", "Closure"),
                )
            )
        db.session.add(programme)
        return programme

    def load_workstreams(self, programme: Programme) -> dict[str, Workstream]:
        data = read_yaml(self.folder / "workstreams.yaml") or {}
        workstreams: dict[str, Workstream] = {}
        for order, item in enumerate(data.get("workstreams", []), start=1):
            where = f"{self.where('workstreams.yaml')}, workstream {order}"
            code = required(item, "code", where)
            if code in workstreams:
                raise SeedError(f"{where}: code {code} is used twice")
            ws = Workstream(
                code=code,
                name=required(item, "name", where),
                description=item.get("description", ""),
                display_order=order,
            )
            leads = item.get("leads") or []
            if not leads:
                raise SeedError(f"{where}: {code} needs at least one lead")
            for position, key in enumerate(leads):
                ws.lead_links.append(
                    WorkstreamLead(person=self.person(key, f"{where}, leads"), position=position)
                )
            programme.workstreams.append(ws)
            workstreams[code] = ws
        return workstreams

    def load_milestones(
        self, programme: Programme, workstreams: dict[str, Workstream]
    ) -> tuple[dict[str, Milestone], list[tuple[str, str, Any]], dict[str, dict[str, Any]]]:
        milestones: dict[str, Milestone] = {}
        links: list[tuple[str, str, Any]] = []  # (successor ref, where, notation)
        baseline_dates: dict[str, dict[str, Any]] = {}
        for path in sorted((self.folder / "milestones").glob("*.yaml")):
            data = read_yaml(path) or {}
            code = data.get("workstream")
            if code not in workstreams:
                raise SeedError(f"{path}: workstream '{code}' is not in workstreams.yaml")
            for item in data.get("milestones", []):
                ref = item.get("ref", "?")
                where = f"{path}, {ref}"
                if ref in milestones:
                    raise SeedError(f"{where}: reference {ref} is used twice")
                kind = item.get("kind", MilestoneKind.ACTIVITY.value)
                status = item.get("status", MilestoneStatus.NOT_STARTED.value)
                forecast = item.get("forecast") or {}
                completed_by = item.get("completed_by")
                milestone = Milestone(
                    programme=programme,
                    workstream=workstreams[code],
                    ref=ref,
                    title=required(item, "title", where),
                    description=item.get("description", ""),
                    owner=self.person(required(item, "owner", where), f"{where}, owner"),
                    kind=kind,
                    planned_start=self.opt_day(item.get("start"), f"{where}, start"),
                    due_date=self.day(required(item, "due", where), f"{where}, due"),
                    is_key=bool(item.get("key", False)),
                    status=status,
                    completed_on=self.opt_day(item.get("completed_on"), f"{where}, completed_on"),
                    completed_by=self.person(completed_by, f"{where}, completed_by")
                    if completed_by
                    else None,
                    evidence_text=item.get("evidence"),
                    evidence_url=item.get("evidence_url"),
                    forecast_date=self.opt_day(forecast.get("date"), f"{where}, forecast"),
                    forecast_reason=forecast.get("reason"),
                    blocked_reason=item.get("blocked_reason"),
                )
                milestones[ref] = milestone
                baseline_dates[ref] = item.get("baseline") or {}
                for notation in item.get("predecessors") or []:
                    links.append((ref, where, notation))
        return milestones, links, baseline_dates

    def load_dependencies(
        self,
        programme: Programme,
        milestones: dict[str, Milestone],
        links: list[tuple[str, str, Any]],
    ) -> int:
        seen: set[tuple[str, str, str]] = set()
        parsed: list[Link] = []
        for successor_ref, where, notation in links:
            try:
                link = parse_predecessor(str(notation))
            except ValueError as exc:
                raise SeedError(f"{where}, predecessors: {exc}") from exc
            if link.ref not in milestones:
                raise SeedError(f"{where}, predecessors: {link.ref} is not a milestone")
            if link.ref == successor_ref:
                raise SeedError(f"{where}, predecessors: {link.ref} cannot depend on itself")
            key = (link.ref, successor_ref, link.type)
            if key in seen:
                raise SeedError(f"{where}, predecessors: {notation} is listed twice")
            seen.add(key)
            parsed.append(Link(link.ref, successor_ref, link.type, link.lag_days))
            db.session.add(
                Dependency(
                    programme=programme,
                    predecessor=milestones[link.ref],
                    successor=milestones[successor_ref],
                    type=link.type,
                    lag_days=link.lag_days,
                )
            )
        try:  # the engine names the milestones of any loop
            schedule([Activity(ref, 0) for ref in milestones], parsed)
        except CycleError as exc:
            raise SeedError(f"{self.where('milestones')}: {exc}") from exc
        return len(seen)

    def load_baselines(
        self,
        programme: Programme,
        data: dict[str, Any],
        milestones: dict[str, Milestone],
        baseline_dates: dict[str, dict[str, Any]],
    ) -> None:
        where = self.where("programme.yaml")
        current: Baseline | None = None
        for item in data.get("baselines") or []:
            w = f"{where}, baseline {item.get('key')}"
            key = required(item, "key", w)
            baseline = Baseline(
                label=required(item, "label", w),
                note=item.get("note", ""),
                go_live_date=self.day(item.get("go_live_date"), f"{w}, go_live_date"),
                taken_at=datetime.combine(
                    self.day(item.get("taken_on"), f"{w}, taken_on"), time(9)
                ).replace(tzinfo=UTC),
            )
            for ref, milestone in milestones.items():
                dates = baseline_dates[ref]
                if key in dates and dates[key] is None:
                    continue  # the milestone was not in this plan
                own = dates.get(key) or {}
                baseline.items.append(
                    BaselineItem(
                        milestone=milestone,
                        ref=ref,
                        title=milestone.title,
                        planned_start=self.opt_day(own.get("start"), f"{w}, {ref}")
                        if own
                        else milestone.planned_start,
                        due_date=self.day(own["due"], f"{w}, {ref}") if own else milestone.due_date,
                    )
                )
            programme.baselines.append(baseline)
            if item.get("current"):
                current = baseline
        programme.current_baseline = current

    def load_risks(self, programme: Programme, workstreams: dict[str, Workstream]) -> int:
        data = read_yaml(self.folder / "risks.yaml") or {}
        # Reviews name their reviewer, and the issue and decision logs their programme, by id.
        db.session.flush()
        count = 0
        for item in data.get("risks", []):
            where = f"{self.where('risks.yaml')}, {item.get('ref', '?')}"
            code = item.get("workstream")
            if code is not None and code not in workstreams:
                raise SeedError(f"{where}: workstream '{code}' is not in workstreams.yaml")
            programme.risks.append(
                Risk(
                    ref=required(item, "ref", where),
                    title=required(item, "title", where),
                    description=item.get("description", ""),
                    owner=self.person(required(item, "owner", where), f"{where}, owner"),
                    workstream=workstreams[code] if code else None,
                    consequence=item.get("consequence"),
                    likelihood=item.get("likelihood"),
                    target_consequence=item.get("target_consequence"),
                    target_likelihood=item.get("target_likelihood"),
                    mitigation=item.get("mitigation", ""),
                    status=item.get("status", "open"),
                    raised_on=self.day(item.get("raised_on"), f"{where}, raised_on"),
                    review_on=self.opt_day(item.get("review_on"), f"{where}, review_on"),
                    milestones=self._milestones(programme, item.get("milestones"), where),
                )
            )
            risk = programme.risks[-1]
            for index, action in enumerate(item.get("actions") or [], start=1):
                at = f"{where}, action {index}"
                owner = action.get("owner")
                risk.actions.append(
                    RiskAction(
                        description=required(action, "description", at),
                        owner=self.person(owner, f"{at}, owner") if owner else None,
                        due_on=self.opt_day(action.get("due"), f"{at}, due"),
                        done_on=self.opt_day(action.get("done"), f"{at}, done"),
                    )
                )
            for index, review in enumerate(item.get("reviews") or [], start=1):
                at = f"{where}, review {index}"
                reviewer = review.get("reviewer")
                risk.reviews.append(
                    RiskReview(
                        reviewed_on=self.day(review.get("date"), f"{at}, date"),
                        consequence=required(review, "consequence", at),
                        likelihood=required(review, "likelihood", at),
                        note=review.get("note", ""),
                        reviewer_id=self.person(reviewer, f"{at}, reviewer").id
                        if reviewer
                        else None,
                    )
                )
            count += 1
        self._load_issues(programme, data.get("issues") or [], workstreams)
        self._load_decisions(programme, data.get("decisions") or [])
        return count

    def _milestones(self, programme: Programme, refs: Any, where: str) -> list[Milestone]:
        """The programme's milestones by reference (a risk's or a decision's links)."""
        known = {m.ref: m for m in programme.milestones}
        found = []
        for ref in refs or []:
            if ref not in known:
                raise SeedError(f"{where}: milestone '{ref}' is not in milestones/")
            found.append(known[ref])
        return found

    def _load_issues(
        self, programme: Programme, items: list[Any], workstreams: dict[str, Workstream]
    ) -> None:
        risks = {r.ref: r for r in programme.risks}
        for item in items:
            where = f"{self.where('risks.yaml')}, issue {item.get('ref', '?')}"
            code, risk = item.get("workstream"), item.get("risk")
            if code is not None and code not in workstreams:
                raise SeedError(f"{where}: workstream '{code}' is not in workstreams.yaml")
            if risk is not None and risk not in risks:
                raise SeedError(f"{where}: risk '{risk}' is not in risks.yaml")
            db.session.add(
                Issue(
                    programme_id=programme.id,
                    ref=required(item, "ref", where),
                    title=required(item, "title", where),
                    description=item.get("description", ""),
                    raised_on=self.day(item.get("raised_on"), f"{where}, raised_on"),
                    owner=self.person(required(item, "owner", where), f"{where}, owner"),
                    workstream=workstreams[code] if code else None,
                    impact=item.get("impact", ""),
                    action=item.get("action", ""),
                    status=item.get("status", "open"),
                    closed_on=self.opt_day(item.get("closed_on"), f"{where}, closed_on"),
                    risk=risks[risk] if risk else None,
                )
            )

    def _load_decisions(self, programme: Programme, items: list[Any]) -> None:
        for item in items:
            where = f"{self.where('risks.yaml')}, decision {item.get('ref', '?')}"
            owner = item.get("owner")
            db.session.add(
                Decision(
                    programme_id=programme.id,
                    ref=required(item, "ref", where),
                    decided_on=self.day(item.get("decided_on"), f"{where}, decided_on"),
                    forum=required(item, "forum", where),
                    decision=required(item, "decision", where),
                    owner=self.person(owner, f"{where}, owner") if owner else None,
                    milestones=self._milestones(programme, item.get("milestones"), where),
                )
            )

    def load_status_updates(self, workstreams: dict[str, Workstream]) -> int:
        data = read_yaml(self.folder / "status_updates.yaml") or {}
        count = 0
        for index, item in enumerate(data.get("status_updates", []), start=1):
            where = f"{self.where('status_updates.yaml')}, update {index}"
            code = item.get("workstream")
            if code not in workstreams:
                raise SeedError(f"{where}: workstream '{code}' is not in workstreams.yaml")
            db.session.add(
                StatusUpdate(
                    workstream=workstreams[code],
                    week_start=self.day(item.get("week"), f"{where}, week"),
                    rag=item.get("rag"),
                    achievements=item.get("achievements", ""),
                    next_steps=item.get("next_steps", ""),
                    issues=item.get("issues", ""),
                    author=self.person(required(item, "author", where), f"{where}, author"),
                )
            )
            count += 1
        return count


@unit_of_work
def load_programme_dir(
    folder: str | Path, *, reset: bool = False, password: str | None = None
) -> SeedReport:
    """Load one programme folder as one unit of work: all of it, or nothing and SeedError or
    ChangeRefused (a broken rule) saying what is wrong. Inside another unit of work (the CLI's
    load_seed) it joins that one."""
    loader = _Loader(Path(folder), password)
    data = read_yaml(loader.folder / "programme.yaml") or {}
    slug = required(data, "slug", loader.where("programme.yaml"))
    report = SeedReport(programme=data.get("name", slug), slug=slug, loaded=False)
    existing = db.session.scalar(select(Programme).where(Programme.slug == slug))
    if existing is not None and reset:
        # The database cascades the delete to everything the programme holds.
        db.session.execute(
            update(Programme).where(Programme.id == existing.id).values(current_baseline_id=None)
        )
        db.session.execute(delete(Programme).where(Programme.id == existing.id))
        db.session.expunge_all()
        existing = None
    loader.load_people(report)
    if existing is None:
        programme = loader.load_programme(report, data)
        loader.load_memberships(programme)
        workstreams = loader.load_workstreams(programme)
        milestones, links, baseline_dates = loader.load_milestones(programme, workstreams)
        report.counts["workstreams"] = len(workstreams)
        report.counts["milestones"] = len(milestones)
        report.counts["dependencies"] = loader.load_dependencies(programme, milestones, links)
        loader.load_baselines(programme, data, milestones, baseline_dates)
        report.counts["baselines"] = len(programme.baselines)
        report.counts["risks"] = loader.load_risks(programme, workstreams)
        report.counts["status updates"] = loader.load_status_updates(workstreams)
        report.loaded = True
    return report
