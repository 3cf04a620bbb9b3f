"""The board pack: gathered from the services the dashboard uses, for one day, so its figures
are the dashboard's; shown as a page and made into a tagged PDF (PDF/UA-1) by WeasyPrint,
which fetches nothing from another host (docs/board-pack.md).

Issuing (`issue_pack`) keeps a pack's PDF bytes as issued, with their SHA-256, who issued it
and the figures' as-at day; `gather` takes the previous issued pack's snapshot and date, so
the next pack's "what changed since the last pack" starts from the last one issued.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from flask import abort, current_app, render_template
from markupsafe import Markup
from sqlalchemy import select

from tracker import clock
from tracker.domain import board_pack as content
from tracker.domain import figures, permissions
from tracker.domain.board_pack import BoardPack, PackSnapshot
from tracker.domain.gantt import gantt_rows
from tracker.domain.gantt_svg import gantt_svg
from tracker.domain.permissions import Viewer
from tracker.domain.validation import FieldError, raise_if
from tracker.extensions import db
from tracker.models import IssuedPack, Person
from tracker.services import board, decisions, issues, plan_health, risks, schedule_risk
from tracker.services.decisions import DecisionFilter
from tracker.services.forecast_effect import plan_of
from tracker.services.issues import IssueFilter
from tracker.services.unit_of_work import allow, on_duplicate, unit_of_work

if TYPE_CHECKING:
    from tracker.models import Programme, StatusUpdate, Workstream
    from tracker.scheduling.risk_analysis import RiskAnalysis
    from tracker.services.schedule import ProgrammeSchedule

STATIC = Path(__file__).resolve().parent.parent / "static"
PDF_CSS = Path(__file__).resolve().parent.parent / "templates" / "board_pack" / "pdf.css"
# A background analysis of the plan still being worked out is given this long to finish,
# then worked out here: a pack is a paper of record, never printed "being worked out".
CHANCE_WAIT_SECONDS = 2.0


def marking_of(programme: Programme) -> str:
    """The programme's protective marking (OFFICIAL unless it set another)."""
    return str(getattr(programme, "protective_marking", None) or content.DEFAULT_MARKING)


def gather(
    programme: Programme,
    *,
    prepared_by: str,
    since: date | None = None,
    previous: PackSnapshot | None = None,
) -> BoardPack:
    """The pack for today as the dashboard has it: `since` is the last pack's date (issues
    and decisions from then; four weeks back without one), `previous` its snapshot (what
    changed since; "the first pack" without one)."""
    today = clock.today()
    since = since or today - timedelta(days=content.SINCE_DAYS)
    schedule = board.schedule_for(programme)
    workstreams = board.workstreams(programme)
    highlights = board.latest_highlights(programme, today)
    register = [r for r in risks.register(programme, today) if r.status == "open"]
    register.sort(key=lambda r: (-r.score, r.ref))
    heatmap = risks.open_risks_heatmap(programme, today)
    headline, gantt, chance = None, None, None
    lines: list[content.WorkstreamLine] = []
    due_next: list[content.MilestoneLine] = []
    overdue: list[content.MilestoneLine] = []
    late: list[content.MilestoneLine] = []
    milestones: list[Any] = []
    if schedule is not None:
        forecast = schedule.forecast
        milestones = list(forecast.milestones.values())
        headline, chance = _headline(programme, schedule)
        ws_figures = figures.workstream_figures(
            [ws.code for ws in workstreams], milestones, forecast.workstream_rags
        )
        lines = [
            _workstream_line(ws, ws_figures[ws.code], highlights.get(ws.id)) for ws in workstreams
        ]
        due_next = [content.milestone_line(m) for m in content.due_next(milestones, today)]
        overdue = [content.milestone_line(m) for m in figures.overdue(milestones)]
        late = [content.milestone_line(m) for m in content.late_not_overdue(milestones)]
        gantt = _gantt(programme, schedule)
    else:
        lines = [_workstream_line(ws, None, highlights.get(ws.id)) for ws in workstreams]
    now = content.snapshot(
        today,
        milestones,
        {r.ref: r.score for r in register},
        schedule.forecast.forecast_go_live if schedule else None,
        chance,
    )
    calendar = schedule.calendar if schedule else None
    changes = (
        content.changes_since(previous, now, calendar)
        if calendar is not None
        else content.Changes(first=previous is None)
    )
    return BoardPack(
        programme=programme.name,
        slug=programme.slug,
        from_organisation=programme.from_organisation,
        to_organisation=programme.to_organisation,
        position_at=today,
        prepared_by=prepared_by,
        marking=marking_of(programme),
        since=since,
        headline=headline,
        workstreams=tuple(lines),
        gantt=gantt,
        due_next=tuple(due_next),
        next_until=today + timedelta(days=content.NEXT_PERIOD_DAYS),
        overdue=tuple(overdue),
        late=tuple(late),
        risks=tuple(
            content.RiskEntry(
                ref=r.ref,
                title=r.title,
                owner=r.owner,
                score=r.score,
                band=r.band.name,
                rag=r.band.rag,
                trend=r.trend,
                previous_score=r.previous_score,
                target_score=r.target_score,
            )
            for r in register[: content.TOP_RISKS]
        ),
        open_risks=len(register),
        heatmap=tuple(tuple(row) for row in heatmap.grid),
        issues=tuple(_issues_since(programme, since)),
        decisions=tuple(_decisions_since(programme, since, today)),
        changes=changes,
        snapshot=now,
    )


def _headline(
    programme: Programme, schedule: ProgrammeSchedule
) -> tuple[content.Headline, int | None]:
    forecast = schedule.forecast
    health = plan_health.report_for(programme)
    chance, problem, percent = None, None, None
    analysis = _chance(programme, schedule)
    if isinstance(analysis, str):
        problem = analysis
    elif analysis is not None:
        chance = schedule_risk.chance_sentence(analysis)
        percent = schedule_risk.percent(analysis.chance_of_target)
    headline = content.Headline(
        status=forecast.status,
        forecast_go_live=forecast.forecast_go_live,
        go_live_target=forecast.go_live_target,
        slack=forecast.go_live_float,
        slip_days=forecast.slip_days,
        baseline_slip_days=forecast.baseline_slip_days,
        baseline_label=schedule.baseline_label,
        working_days_to_go_live=forecast.working_days_to_go_live,
        after_go_live_warning=figures.after_go_live_warning(forecast),
        chance=chance,
        chance_problem=problem,
        health_summary=health.summary if health else None,
        health_failing=tuple(
            f"{r.check.name}: {r.value} ({r.limit.lower()})" for r in health.failing
        )
        if health
        else (),
        progress=figures.progress(list(forecast.milestones.values()), forecast.today),
    )
    return headline, percent


def _chance(programme: Programme, schedule: ProgrammeSchedule) -> RiskAnalysis | str | None:
    """The schedule risk analysis the dashboard shows (default iterations, seed 0): stored,
    or worked out now, inline; when another process is working it out, worked out here
    too (the same seed gives the same result). Its error in words when it failed; None when
    the programme has no plan to analyse."""
    outcome = schedule_risk.analysis_for(programme, inline=True, wait=CHANCE_WAIT_SECONDS)
    if outcome is None:
        return None
    if outcome.analysis is not None:
        return outcome.analysis
    if outcome.error:
        return outcome.error
    try:
        inputs = schedule_risk.inputs_for(programme, plan_of(programme, schedule))
        result, _ = schedule_risk.analyse(inputs, outcome.iterations, outcome.seed)
    except ValueError as refused:
        return str(refused)
    return result


def _workstream_line(
    ws: Workstream, f: figures.WorkstreamFigures | None, reported: StatusUpdate | None
) -> content.WorkstreamLine:
    return content.WorkstreamLine(
        code=ws.code,
        name=ws.name,
        leads=", ".join(p.name for p in ws.leads),
        schedule_rag=f.schedule_rag if f else None,
        reported_rag=reported.rag if reported else None,
        reported_week=reported.week_start if reported else None,
        achievements=reported.achievements if reported else "",
        next_steps=reported.next_steps if reported else "",
        issues=reported.issues if reported else "",
        percent_complete=f.percent_complete if f else 0,
        complete=f.complete if f else 0,
        total=f.total if f else 0,
        overdue=f.overdue if f else 0,
    )


def _gantt(programme: Programme, schedule: ProgrammeSchedule) -> content.GanttPage:
    forecast = schedule.forecast
    milestones = list(forecast.milestones.values())
    chosen = content.gantt_selection(milestones, forecast.driving_path)
    workstreams = board.workstreams(programme, include_retired=True)
    rows = gantt_rows(
        chosen, schedule.planned(), schedule.baseline_starts, [ws.code for ws in workstreams]
    )
    total = len(milestones)
    note = f"All {total} milestones"
    if len(rows) < total:
        note = (
            f"{len(rows)} of {total} milestones: the driving path to go-live, the critical "
            "path and key milestones; the whole plan is on the Gantt chart page"
        )
    svg = gantt_svg(
        rows,
        {ws.code: ws.name for ws in workstreams},
        programme=programme.name,
        today=forecast.today,
        go_live_target=forecast.go_live_target,
        forecast_go_live=forecast.forecast_go_live,
        workstream_rags=forecast.workstream_rags,
        note=note,
    )
    by_ref = forecast.milestones
    path = tuple(content.milestone_line(by_ref[r]) for r in forecast.driving_path if r in by_ref)
    on_path = set(forecast.driving_path)
    critical = tuple(
        content.milestone_line(m)
        for m in sorted(milestones, key=lambda m: (m.forecast_due, m.ref))
        if m.is_key and figures.on_critical_path(m) and m.ref not in on_path
    )
    return content.GanttPage(svg, len(rows), total, note, path, critical)


def _issues_since(programme: Programme, since: date) -> list[content.LogEntry]:
    """Issues raised or closed on or after `since`, most recently raised first."""
    found = []
    for i in issues.issue_log(programme, IssueFilter(status=None)):
        if i.raised_on >= since or (i.closed_on is not None and i.closed_on >= since):
            found.append(
                content.LogEntry(i.ref, i.raised_on, i.title, i.owner.name, status=i.status)
            )
    return found


def _decisions_since(programme: Programme, since: date, today: date) -> list[content.LogEntry]:
    chosen = decisions.decision_log(programme, DecisionFilter(decided_from=since, decided_to=today))
    return [
        content.LogEntry(
            d.ref, d.decided_on, d.decision, d.owner.name if d.owner else "", forum=d.forum
        )
        for d in chosen
    ]


# --- the page and the PDF -----------------------------------------------------------------


def page_html(
    pack: BoardPack,
    programme: Programme,
    *,
    form: Any = None,
    last: IssuedPack | None = None,
) -> str:
    """The pack as a page of the tracker (base.html's look), the chart inline: the page's
    CSP allows no data: images, and inline SVG is text. `form` is the issuing form (for
    admins only), `last` the pack issued last."""
    chart = Markup("")
    if pack.gantt is not None:
        # Drawn by gantt_svg with ElementTree, which escapes every title a person typed.
        chart = Markup(pack.gantt.svg.split("?>", 1)[-1])  # noqa: S704
    return render_template(
        "board_pack/show.html",
        containerClasses="tracker-wide",  # the chart is drawn 1,680 px wide
        pack=pack,
        programme=programme,
        chart=chart,
        form=form,
        last=last,
    )


def document_html(pack: BoardPack) -> str:
    """The pack as the standalone HTML document the PDF is made from: the chart an image
    from a data: URL (nothing is fetched), described in words after it."""
    chart = Markup("")
    if pack.gantt is not None:
        data = base64.b64encode(pack.gantt.svg.encode("utf-8")).decode("ascii")
        alt = (
            f"Gantt chart of {pack.gantt.shown} milestones by workstream, with today and "
            "go-live marked; the driving path and critical key milestones follow in words"
        )
        chart = Markup('<img src="data:image/svg+xml;base64,{}" alt="{}">').format(data, alt)
    return render_template(
        "board_pack/document.html",
        pack=pack,
        chart=chart,
        css=Markup(PDF_CSS.read_text(encoding="utf-8")),  # noqa: S704 (our own file)
    )


class LocalOnly:
    """What WeasyPrint may fetch: data: URLs and the tracker's own static files; nothing
    else, so making a pack never reaches another host. `asked` records every request."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def fetcher(self) -> Any:
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        owner = self

        class _Fetcher(URLFetcher):
            def fetch(self, url: str, headers: Any = None) -> Any:
                owner.asked.append(url)
                if url.startswith("data:"):
                    return super().fetch(url, headers)
                path = owner.static_file(url)
                if path is None:
                    raise ValueError(f"The board pack fetches nothing from {url[:80]}")
                return URLFetcherResponse(url, body=path.read_bytes())

        return _Fetcher(allowed_protocols=("data", "file"), fail_on_errors=False)

    @staticmethod
    def static_file(url: str) -> Path | None:
        """The file under tracker/static that a file: URL names, else None."""
        parts = urlsplit(url)
        if parts.scheme != "file":
            return None
        path = Path(unquote(parts.path)).resolve()
        if not path.is_file() or not path.is_relative_to(STATIC):
            return None
        return path


def pdf(pack: BoardPack, fetcher: LocalOnly | None = None) -> bytes:
    """The pack as PDF bytes: tagged PDF/UA-1, with its title and language."""
    from weasyprint import HTML

    fetcher = fetcher or LocalOnly()
    html = HTML(
        string=document_html(pack),
        base_url=STATIC.as_uri() + "/",
        url_fetcher=fetcher.fetcher(),
    )
    made: bytes = html.write_pdf(pdf_variant="pdf/ua-1")
    current_app.logger.debug("board pack for %s: %d bytes", pack.slug, len(made))
    return made


def pdf_name(pack: BoardPack) -> str:
    return f"{pack.slug}-board-pack-{pack.position_at.isoformat()}.pdf"


# --- issuing ----------------------------------------------------------------------------

ONLY_ADMINS = "Only the programme's admins issue its board pack."
ENTITY = "Board pack"


def issued_packs(programme: Programme) -> list[IssuedPack]:
    """The programme's issued packs, the latest board first."""
    return list(
        db.session.scalars(
            select(IssuedPack)
            .where(IssuedPack.programme_id == programme.id)
            .order_by(
                IssuedPack.board_date.desc(), IssuedPack.issued_at.desc(), IssuedPack.id.desc()
            )
        )
    )


def last_issued(programme: Programme) -> IssuedPack | None:
    """The pack issued last (by board date, then when), or None before the first."""
    return db.session.scalar(
        select(IssuedPack)
        .where(IssuedPack.programme_id == programme.id)
        .order_by(IssuedPack.board_date.desc(), IssuedPack.issued_at.desc(), IssuedPack.id.desc())
        .limit(1)
    )


def issued_pack_or_404(programme: Programme, pack_id: int) -> IssuedPack:
    """The programme's issued pack with this id; 404 when there is none (or it is another
    programme's)."""
    pack = db.session.get(IssuedPack, pack_id)
    if pack is None or pack.programme_id != programme.id:
        abort(404, description="There is no such issued board pack.")
    return pack


def since_last(programme: Programme) -> tuple[date | None, PackSnapshot | None]:
    """The last issued pack's position date and figures, for the next pack's "since the last
    pack"; (None, None) before the first."""
    last = last_issued(programme)
    if last is None:
        return None, None
    return last.position_at, PackSnapshot.from_json(last.snapshot)


@unit_of_work
def issue_pack(
    actor: Viewer, programme: Programme, board_date: date | None, title: str | None = None
) -> IssuedPack:
    """Issue today's pack for the board meeting on `board_date`: its PDF made once and
    kept, byte for byte, with its SHA-256, who issued it and the figures it was made from.
    "Since the last pack" is from the last issued one. The pack as stored."""
    allow(permissions.can_administer_programme(actor, programme.id), ONLY_ADMINS)
    person = db.session.get(Person, actor.person_id) if actor.person_id is not None else None
    allow(person is not None, ONLY_ADMINS)  # an admin is a person; the CLI's operator is not
    assert person is not None
    title = (title or "").strip() or (content.issued_title(board_date) if board_date else "")
    last = last_issued(programme)
    raise_if(
        content.issuing_problems(
            board_date, title, clock.today(), last.board_date if last else None
        ),
        entity=ENTITY,
    )
    assert board_date is not None  # issuing_problems says so
    since, previous = since_last(programme)
    pack = gather(programme, prepared_by=person.name, since=since, previous=previous)
    body = pdf(pack)
    digest = hashlib.sha256(body).hexdigest()
    on_duplicate(FieldError("board_date", "This pack has been issued already, byte for byte"))
    issued = IssuedPack(
        programme_id=programme.id,
        title=title,
        board_date=board_date,
        position_at=pack.position_at,
        issued_by_id=person.id,
        protective_marking=pack.marking,
        pdf=body,
        sha256=digest,
        snapshot=pack.snapshot.as_json(),
    )
    db.session.add(issued)
    db.session.flush()
    return issued


def issued_pdf_name(issued: IssuedPack, slug: str) -> str:
    """The download's file name: "kent-and-medway-board-pack-2022-04-14.pdf" (the board's
    day), with the id when the same board has more than one pack."""
    return f"{slug}-board-pack-{issued.board_date.isoformat()}-{issued.id}.pdf"
