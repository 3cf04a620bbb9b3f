"""Synthetic programmes for benchmarks and load tests (issues 4 and 9).

From the command line (one transaction per programme; existing slugs are skipped)::

    flask --app wsgi seed synthetic --programmes 3 --milestones 2000 [--today 2022-04-04] [--seed 0]

or in code, in an app context: ``generate_programme(slug=..., milestones=..., today=...)``,
then commit. The same arguments always give the same programme, as it stands on ``today``:
go-live on the first working day of the month three months on, start a year before; 8-12
workstreams (more for huge plans) with one or two lead directors (lead accounts) and three
owners each, an admin and a board account; the milestones (go-live ``GOV-9999`` included),
80% activities of 5-40 working days, 20% points, ~8% key, mostly complete when due well
before ``today``, a few overdue or blocked, some with a lead's later forecast; an acyclic
network of ~``links_per_milestone`` links per milestone in which every milestone leads to
go-live and every predecessor finishes before its successor starts; a current baseline, a
risk per 20 milestones and this week's highlight report per workstream. Lateness stays within
each milestone's free float and a back-to-back chain ends on go-live day, so the plan
forecasts go-live on time, with a critical path.

Speed: rows go in by bulk INSERT (``db.session.execute(insert(Model), rows)``, COPY on
PostgreSQL), never as ORM objects: 20,000 milestones and 50,000 links take seconds. That
bypasses ``tracker.audit``'s flush hooks, so nothing is validated there and the audit trail
gets one "create" event for the programme only. The generator keeps the rules itself (the
tests run every model's ``validate()`` over a generated programme) and the database's CHECK
and foreign key constraints still apply. All accounts share one password hash.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, insert, select, update
from werkzeug.security import generate_password_hash

from tracker import models
from tracker.audit import current_actor
from tracker.domain import synthetic_plan
from tracker.domain.synthetic_plan import GO_LIVE_NUMBER, Plan
from tracker.domain.terms import MilestoneKind, MilestoneStatus, Role
from tracker.domain.validation import format_date
from tracker.extensions import db
from tracker.models.base import utcnow
from tracker.scheduling import WorkingCalendar

MAX_MILESTONES = 100_000
_PER_WORKSTREAM = 6000  # big plans get more workstreams, so none runs out of numbers


class Theme(NamedTuple):
    code: str
    name: str
    directorate: str
    things: list[str]  # what its milestones deliver


def _words(text: str) -> list[str]:
    return text.split("|")


# code; name; directorate; things (GOV first: go-live is GOV-9999)
THEMES = [
    Theme(code, name, directorate, _words(things))
    for code, name, directorate, things in (
        line.split(";")
        for line in """\
GOV;Governance and constitution;Corporate Affairs;ICB constitution|Standing orders|Transfer scheme
PEO;People, OD and TUPE transfer;People;TUPE staff list|Staff consultation|Payroll transfer
FIN;Finance: CCG close-down and new ledgers;Finance;CCG ledger close-down|ICB ledger|Bank accounts
DIG;Digital and data transfer;Digital;ODS code changes|Smartcard migration|Day-one IT cutover
CON;Contracts and procurement;Finance;Contract register|Novation letters|Supplier notifications
COM;Communications and engagement;Communications;Staff briefings|Website|Day-one communications
EST;Estates and facilities;Estates;Property schedule|Office moves|Facilities contracts|Signage
QUA;Quality and patient safety;Nursing and Quality;Quality handover|Safeguarding arrangements
MED;Medical directorate;Medical;Clinical and professional forum|Clinical leadership framework
ANA;Analytics and intelligence;Digital;Analytics operating model|BI reports|PHM dashboards
ASU;Assurance and oversight;Corporate Affairs;Due diligence checklist|Readiness to operate statement
LEG;Legal and information governance;Corporate Affairs;Claims schedule|Information asset register
PLA;Planning and performance;Strategy;Operational plan|Performance framework|Joint forward plan
PRI;Primary care delegation;Primary Care;Delegated commissioning|GP contract transfer
PHM;Population health and places;Strategy;Health inequalities plan|Place partnership agreements
CMS;Commissioning and functional model;Strategy;Functional model|Provider collaboratives
EPR;Emergency preparedness;Operations;On-call rota|Business continuity plans|Major incident plan
PAT;Patient experience;Nursing and Quality;Complaints process|PALS service|Records transfer
""".splitlines()
    )
]
AREAS = _words("Ashdown|Brackwater|Calder Vale|Denholm|Eastmere|Fernbridge|Glenmoor|Harrowfield")
FIRST = _words("Amira|Ben|Chloe|Dev|Eleanor|Femi|Grace|Harry|Isla|Jamal|Katie|Liam|Maya|Niall")
LAST = _words("Adams|Bennett|Chowdhury|Davies|Evans|Fraser|Green|Hughes|Iqbal|Jones|Khan|Lewis")
ACTIVITY_OUTCOMES = _words("drafted|developed|reviewed|implemented|tested|prepared")
POINT_OUTCOMES = _words("agreed|approved by the board|signed off|published|in place")
FORECAST_REASONS = _words("Waiting for national guidance|Supplier needs more time|Staff on leave")
BLOCKED_REASONS = _words("Waiting for NHS England approval|Legal advice awaited")
RISK_TITLES = _words("Delay to {} could hold up go-live|Insufficient capacity in {}")
_PROGRESS_FIELDS = _words(
    "status|completed_on|completed_by_id|evidence_text|evidence_url|forecast_date|"
    "forecast_reason|blocked_reason"
)


@dataclass
class SyntheticReport:
    """What was created, for the command to print and tests to check."""

    slug: str
    name: str
    programme_id: int
    workstreams: int = 0
    people: int = 0  # new people (existing addresses are reused)
    accounts: int = 0  # new accounts
    milestones: int = 0
    dependencies: int = 0
    baseline_items: int = 0
    risks: int = 0
    status_updates: int = 0
    account_list: list[tuple[str, str, str]] = field(default_factory=list)  # email, role, name

    def counts(self) -> dict[str, int]:
        numbers = fields(self)[3:-1]  # workstreams .. status_updates
        return {f.name.replace("_", " "): getattr(self, f.name) for f in numbers}


def go_live_for(today: date) -> date:
    """The first of the month three months after today's month (1 July for 4 April)."""
    month = today.month + 3
    return date(today.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def generate_programme(
    *,
    slug: str,
    milestones: int,
    today: date,
    seed: int = 0,
    links_per_milestone: float = 2.5,
    password: str | None = None,
    name: str | None = None,
) -> SyntheticReport:
    """Create one synthetic programme in the current session (not committed); see above."""
    if not 2 <= milestones <= MAX_MILESTONES:
        raise ValueError(f"milestones must be from 2 to {MAX_MILESTONES:,}, not {milestones}")
    g = _Generator(random.Random(seed), slug, today)  # noqa: S311 (test data, not secrets)
    number = slug.rsplit("-", 1)[-1]
    name = name or f"Synthetic programme {number}"
    area = f"{g.rnd.choice(AREAS)} {number}" if number.isdigit() else slug.title()
    report = SyntheticReport(slug, name, g.programme(name, area))
    report.workstreams = g.workstreams(milestones)
    g.people(password, report)

    plans, go = synthetic_plan.plan(
        g.rnd, milestones - 1, len(g.themes), g.cal.finish_offset(g.go_live)
    )
    links = synthetic_plan.links(g.rnd, plans, round(links_per_milestone * milestones))
    free = synthetic_plan.free_float(plans, go, links)
    rows = [g.milestone(p, f) for p, f in zip(plans, free, strict=True)]
    rows.append(g.go_live_milestone(go, f"NHS {area} ICB"))
    g.insert(models.Milestone, rows)  # ids by ref after: RETURNING goes row by row on SQLite
    query = select(models.Milestone.ref, models.Milestone.id)
    by_ref = dict(db.session.execute(query.filter_by(programme_id=g.programme_id)).all())
    ids = [by_ref[row["ref"]] for row in rows]
    deps = [
        dict(programme_id=g.programme_id, predecessor_id=ids[a], successor_id=ids[b])
        | dict(type=kind, lag_days=lag, **g.stamps)
        for a, b, kind, lag in links
    ]
    g.insert(models.Dependency, deps)
    g.baseline(rows, ids)
    report.milestones = report.baseline_items = len(ids)
    report.dependencies = len(links)
    report.risks = g.risks(max(1, round(milestones / 20)))
    report.status_updates = g.status_updates(rows)
    g.audit(name, f"synthetic: {milestones} milestones, seed {seed}")
    return report


class _Generator:
    """What one programme's generation shares; each method writes one kind of row."""

    def __init__(self, rnd: random.Random, slug: str, today: date) -> None:
        self.rnd, self.slug, self.today = rnd, slug, today
        self.cal = WorkingCalendar(go_live_for(today) - timedelta(days=364))
        self.start = self.cal.start_date(0)  # working day 0: the first on or after the origin
        self.go_live = self.cal.start_date(self.cal.start_offset(go_live_for(today)))
        # The finish the engine gives a milestone still open after its due date.
        self.overdue_finish = self.cal.finish_offset(self.cal.next_working_day(today))
        self.now = utcnow()
        self.stamps = {"created_at": self.now, "updated_at": self.now}
        self.programme_id = self.admin = 0
        self.themes: list[Theme] = []
        self.ws_ids: list[int] = []
        self.leads: list[list[int]] = []  # person ids by workstream
        self.owners: list[list[int]] = []

    def insert(self, model: Any, rows: list[dict[str, Any]], *, ids: bool = False) -> list[int]:
        """Bulk insert; with ``ids``, the new ids in the order of ``rows``. Rows must give
        every column (COPY fills in no defaults)."""
        if not rows:
            return []
        # render_nulls: None goes as NULL, so all rows share one statement (otherwise they
        # are grouped by which columns are None: thousands of tiny batches).
        options = {"render_nulls": True}
        if ids:
            stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
            return list(db.session.execute(stmt, rows, execution_options=options).scalars())
        connection = db.session.connection()
        if connection.dialect.name == "postgresql" and len(rows) > 500:
            _copy(connection, model.__table__, rows)
        else:
            db.session.execute(insert(model), rows, execution_options=options)
        return []

    def programme(self, name: str, area: str) -> int:
        row = dict(slug=self.slug, name=name, start_date=self.start, go_live_date=self.go_live)
        row |= dict(from_organisation=f"NHS {area} CCG", to_organisation=f"NHS {area} ICB")
        row |= dict(go_live_ref=f"GOV-{GO_LIVE_NUMBER}", calendar_region="ENG", **self.stamps)
        [self.programme_id] = self.insert(models.Programme, [row], ids=True)
        return self.programme_id

    def workstreams(self, milestones: int) -> int:
        count = max(self.rnd.randint(8, 12), -(-milestones // _PER_WORKSTREAM))
        self.themes = [THEMES[0], *self.rnd.sample(THEMES[1:], count - 1)]
        rows = [
            dict(programme_id=self.programme_id, code=t.code, name=t.name, display_order=order)
            | dict(description=f"{t.name}: {', '.join(t.things).lower()}.", **self.stamps)
            for order, t in enumerate(self.themes, start=1)
        ]
        self.ws_ids = self.insert(models.Workstream, rows, ids=True)
        return count

    def people(self, password: str | None, report: SyntheticReport) -> None:
        """An admin, a board member and lead directors (some lead two workstreams), with
        accounts; three milestone owners per workstream, without. Addresses carry the slug,
        so they are unique per programme; any already there are reused."""
        rnd = self.rnd
        wanted: list[tuple[dict[str, Any], str | None]] = []  # person row, account role
        numbers: dict[str, int] = {}

        def person(kind: str, title: str, directorate: str, role: str | None) -> int:
            numbers[kind] = numbers.get(kind, 0) + 1
            suffix = "" if kind in ("admin", "board") else f"-{numbers[kind]}"
            email = f"{kind}-{self.slug}{suffix}@example.org".lower()
            row = dict(name=f"{rnd.choice(FIRST)} {rnd.choice(LAST)}", email=email)
            wanted.append((row | dict(job_title=title, directorate=directorate), role))
            return len(wanted) - 1

        admin = person("admin", "Transition Programme Manager", "Programme Office", Role.ADMIN)
        person("board", "Chair of the Transition Board", "Board", Role.BOARD)
        n_leads = max(4, len(self.themes) - 2)
        pool = [
            person("lead", f"Executive Director of {t.directorate}", t.directorate, Role.LEAD)
            for t in self.themes[:n_leads]
        ]
        leads, owners = [], []
        for w, theme in enumerate(self.themes):
            mine = [pool[w % n_leads]]
            if rnd.random() < 0.3:
                mine.append(rnd.choice([p for p in pool if p != mine[0]]))
            leads.append(mine)
            title = f"Head of {theme.name}"
            owners.append([person("owner", title, theme.directorate, None) for _ in range(3)])

        Person, User = models.Person, models.User  # noqa: N806 (model classes)
        emails = [row["email"] for row, _ in wanted]
        query = select(Person.email, Person.id).where(Person.email.in_(emails))
        found = dict(db.session.execute(query).all())
        new = [row | self.stamps for row, _ in wanted if row["email"] not in found]
        new_ids = self.insert(Person, new, ids=True)
        found.update(zip([row["email"] for row in new], new_ids, strict=True))
        ids = [found[email] for email in emails]
        has_account = set(db.session.scalars(select(User.person_id).where(User.person_id.in_(ids))))
        password_hash = generate_password_hash(password) if password else None  # hashed once
        users = [
            dict(
                person_id=ids[k],
                is_instance_admin=role == Role.ADMIN,
                password_hash=password_hash,
                **self.stamps,
            )
            for k, (_, role) in enumerate(wanted)
            if role and ids[k] not in has_account
        ]
        self.insert(User, users)
        # Everyone belongs to the programme: with their account's role, owners as viewers.
        self.insert(
            models.Membership,
            [
                dict(
                    person_id=ids[k],
                    programme_id=self.programme_id,
                    role=str(role or Role.VIEWER),
                    version=1,
                    **self.stamps,
                )
                for k, (_, role) in enumerate(wanted)
            ],
        )
        links = [
            dict(workstream_id=ws_id, person_id=ids[p], position=position)
            for ws_id, mine in zip(self.ws_ids, leads, strict=True)
            for position, p in enumerate(mine)
        ]
        self.insert(models.WorkstreamLead, links)
        self.leads = [[ids[p] for p in mine] for mine in leads]
        self.owners = [[ids[p] for p in mine] for mine in owners]
        self.admin = ids[admin]
        report.people, report.accounts = len(new), len(users)
        report.account_list = [(r["email"], str(role), r["name"]) for r, role in wanted if role]

    def milestone(self, p: Plan, free: int) -> dict[str, Any]:
        rnd, theme = self.rnd, self.themes[p.ws]
        lead = self.leads[p.ws][0]
        owner = rnd.choice(self.owners[p.ws]) if rnd.random() < 0.8 else lead
        ref = f"{theme.code}-{p.number:04d}"
        outcome = rnd.choice(POINT_OUTCOMES if p.point else ACTIVITY_OUTCOMES)
        row = self._row(ref, f"{rnd.choice(theme.things)} {outcome}", p, owner)
        row["description"] = f"Synthetic milestone of the {theme.name} workstream."
        row["is_key"] = rnd.random() < 0.08
        return row | self._progress(p, free, ref, owner, lead)

    def go_live_milestone(self, go: Plan, icb: str) -> dict[str, Any]:
        owner = self.leads[0][0]
        row = self._row(f"GOV-{GO_LIVE_NUMBER}", f"Go-live: {icb} established", go, owner)
        row["description"] = "The statutory transfer takes effect; all the work leads here."
        row |= dict.fromkeys(_PROGRESS_FIELDS) | dict(is_key=True)
        row["status"] = MilestoneStatus.NOT_STARTED.value
        if (due := row["due_date"]) <= self.today:
            row |= dict(status=MilestoneStatus.COMPLETE.value, completed_on=due)
            row |= dict(
                completed_by_id=owner, evidence_text=f"{icb} established, {format_date(due)}"
            )
        return row

    def _row(self, ref: str, title: str, p: Plan, owner: int) -> dict[str, Any]:
        start = None if p.point else self.cal.start_date(p.start)
        kind = MilestoneKind.POINT if p.point else MilestoneKind.ACTIVITY
        row = dict(programme_id=self.programme_id, workstream_id=self.ws_ids[p.ws], ref=ref)
        row |= dict(title=title, owner_id=owner, kind=kind.value, planned_start=start)
        return row | dict(due_date=self.cal.finish_date(p.finish), version=1, **self.stamps)

    def _progress(self, p: Plan, free: int, ref: str, owner: int, lead: int) -> dict[str, Any]:
        """Status as at today: mostly done when due well before, a few late or blocked.

        Lateness (late completion, still open after the due date, a lead's later forecast)
        stays within the milestone's free float: no successor's plan moves, and none has
        started while its predecessor is still open."""
        rnd, cal, today = self.rnd, self.cal, self.today
        due, start = cal.finish_date(p.finish), None if p.point else cal.start_date(p.start)
        out: dict[str, Any] = dict.fromkeys(_PROGRESS_FIELDS)
        roll = rnd.random()
        started = start is None or start <= today
        if due < today:
            may_be_open = self.overdue_finish - p.finish <= free
            done = not may_be_open or roll < (0.97 if (today - due).days >= 14 else 0.7)
        else:  # a few activities finish early
            done = start is not None and started and roll < 0.05
        if done:
            slip = min(rnd.choice((-3, -2, -1, 0, 0, 0, 0, 1, 2, 4)), free)
            finished = max(min(cal.finish_date(p.finish + slip), today), start or due)
            out |= dict(completed_on=finished, completed_by_id=owner if roll < 0.5 else lead)
            out["evidence_text"] = f"Signed off at the workstream meeting, {format_date(finished)}"
            if rnd.random() < 0.25:
                out["evidence_url"] = f"https://example.org/evidence/{ref.lower()}"
            return out | dict(status=MilestoneStatus.COMPLETE.value)
        if rnd.random() < 0.015:
            out |= dict(status=MilestoneStatus.BLOCKED.value)
            out["blocked_reason"] = rnd.choice(BLOCKED_REASONS)
        elif started and (start is not None or due < today):
            out["status"] = MilestoneStatus.IN_PROGRESS.value
        else:
            out["status"] = MilestoneStatus.NOT_STARTED.value
        if due >= today and free >= 3 and rnd.random() < 0.06:  # the lead expects it late
            out["forecast_date"] = cal.finish_date(p.finish + rnd.randint(3, min(15, free)))
            out["forecast_reason"] = rnd.choice(FORECAST_REASONS)
        return out

    def baseline(self, rows: list[dict[str, Any]], ids: list[int]) -> None:
        """The current baseline (the plan as generated) and the one go-live target."""
        label = f"Plan for go-live {format_date(self.go_live)}"
        row = dict(programme_id=self.programme_id, label=label, note="The plan as generated.")
        row |= dict(go_live_date=self.go_live, taken_by_id=self.admin)
        row["taken_at"] = datetime.combine(self.start, time(9), UTC)
        [baseline_id] = self.insert(models.Baseline, [row], ids=True)
        items = [
            dict(baseline_id=baseline_id, milestone_id=ms_id, ref=r["ref"], title=r["title"])
            | dict(planned_start=r["planned_start"], due_date=r["due_date"])
            for ms_id, r in zip(ids, rows, strict=True)
        ]
        self.insert(models.BaselineItem, items)
        programme = update(models.Programme).filter_by(id=self.programme_id)
        db.session.execute(programme.values(current_baseline_id=baseline_id))
        target = dict(programme_id=self.programme_id, target_date=self.go_live, set_on=self.start)
        target |= dict(set_by_id=self.admin, recorded_at=self.now)
        target["reason"] = "Set by the transition board when the programme started."
        self.insert(models.GoLiveTarget, [target])

    def risks(self, count: int) -> int:
        rnd, width = self.rnd, max(2, len(str(count)))
        span = max(0, (min(self.today, self.go_live) - self.start).days)
        rows = []
        for k in range(1, count + 1):
            w = rnd.randrange(len(self.themes))
            consequence, likelihood = rnd.randint(2, 5), rnd.randint(1, 5)
            raised = self.start + timedelta(days=rnd.randint(0, span))
            closed = rnd.random() < 0.15
            title = rnd.choice(RISK_TITLES).format(self.themes[w].name.lower())
            row = dict(programme_id=self.programme_id, ref=f"R{k:0{width}d}", title=title)
            row |= dict(description="Synthetic risk.", owner_id=self.leads[w][0])
            row |= dict(workstream_id=self.ws_ids[w] if rnd.random() < 0.9 else None)
            row |= dict(consequence=consequence, likelihood=likelihood)
            row["target_consequence"] = max(1, consequence - rnd.randint(0, 1))
            row["target_likelihood"] = max(1, likelihood - rnd.randint(1, 2))
            row |= dict(mitigation="Tracked weekly by the workstream lead.", version=1)
            row |= dict(status="closed" if closed else "open", raised_on=raised)
            row["closed_note"] = "Mitigated; closed by the transition board." if closed else None
            row["review_on"] = raised + timedelta(days=rnd.randint(28, 90))
            rows.append(row | self.stamps)
        self.insert(models.Risk, rows)
        return count

    def status_updates(self, rows: list[dict[str, Any]]) -> int:
        """This week's highlight report per workstream, its RAG from its overdue work."""
        today, fortnight = self.today, timedelta(days=14)
        tally = {ws_id: dict(overdue=0, blocked=0, done=0, next=0) for ws_id in self.ws_ids}
        for row in rows:
            t, due, complete = tally[row["workstream_id"]], row["due_date"], row["completed_on"]
            t["overdue"] += complete is None and due < today
            t["blocked"] += row["status"] == MilestoneStatus.BLOCKED
            t["done"] += complete is not None and complete > today - fortnight
            t["next"] += complete is None and today <= due < today + fortnight
        updates = []
        for ws_id, mine in zip(self.ws_ids, self.leads, strict=True):
            t = tally[ws_id]
            rag = (
                "red" if t["overdue"] > 2 else "amber" if t["overdue"] or t["blocked"] else "green"
            )
            issues = f"{t['overdue']} overdue, {t['blocked']} blocked." if rag != "green" else ""
            row = dict(workstream_id=ws_id, week_start=today - timedelta(days=today.weekday()))
            row |= dict(rag=rag, author_id=mine[0], issues=issues or "None.")
            row["achievements"] = f"{t['done']} milestones completed in the last two weeks."
            row["next_steps"] = f"{t['next']} milestones due in the next two weeks."
            updates.append(row | self.stamps)
        self.insert(models.StatusUpdate, updates)
        return len(updates)

    def audit(self, label: str, note: str) -> None:
        """One audit event for the programme, as the flush hooks do not see bulk inserts."""
        actor = current_actor()
        row = dict(occurred_at=self.now, programme_id=self.programme_id, user_id=actor.user_id)
        row |= dict(actor=actor.name, entity_type="Programme", entity_id=self.programme_id)
        row |= dict(entity_label=label, action="create", new_value=note)
        self.insert(models.AuditEvent, [row])


def _copy(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL's COPY: about three times faster than psycopg's executemany, which sends
    one INSERT per row."""
    columns = list(rows[0])
    quote = connection.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(map(quote, columns))}) FROM STDIN"
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])
