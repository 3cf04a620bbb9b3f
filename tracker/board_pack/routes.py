"""The board pack's page and its PDF, for any member of the programme (a non-member is told
there is no such programme, as everywhere), made for today from the dashboard's services,
"since the last pack" from the last issued one. A programme admin issues the pack for a
board meeting and emails it to the board (once per member per issue); every member lists
the issued packs and downloads each exactly as issued."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.board_pack.forms import IssueForm
from tracker.domain.permissions import can_administer_programme
from tracker.form_errors import attempt
from tracker.security import current_viewer, require
from tracker.services import board_pack, board_pack_mail
from tracker.services.programmes import get_programme_or_404

if TYPE_CHECKING:
    from werkzeug.wrappers import Response as BaseResponse

    from tracker.domain.board_pack import BoardPack
    from tracker.models import Programme

bp = Blueprint("board_pack", __name__, url_prefix="/p/<slug>")
# The page is /board-pack and the PDF /board-pack.pdf: a blueprint prefix of /board-pack could
# only give /board-pack/.pdf.


def _pack(slug: str) -> tuple[Programme, BoardPack]:
    programme = get_programme_or_404(slug)
    since, previous = board_pack.since_last(programme)
    pack = board_pack.gather(
        programme, prepared_by=current_user.name, since=since, previous=previous
    )
    return programme, pack


def _page(programme: Programme, pack: BoardPack, form: IssueForm | None) -> str:
    may_issue = can_administer_programme(current_viewer(), programme.id)
    if may_issue and form is None:
        form = IssueForm()
    return board_pack.page_html(
        pack, programme, form=form if may_issue else None, last=board_pack.last_issued(programme)
    )


@bp.get("/board-pack")
def show(slug: str) -> str:
    programme, pack = _pack(slug)
    return _page(programme, pack, None)


@bp.post("/board-pack/issue")
def issue(slug: str) -> BaseResponse | str:
    programme = get_programme_or_404(slug)
    require(can_administer_programme(current_viewer(), programme.id), board_pack.ONLY_ADMINS)
    form = IssueForm()
    done = attempt(
        form,
        lambda: board_pack.issue_pack(
            current_viewer(), programme, form.board_date.data, form.title.data
        ),
    )
    if done.saved:
        issued = done.result
        flash(
            f"Issued “{issued.title}”: it is kept exactly as issued, below.",
            "success",
        )
        return redirect(url_for("board_pack.issued", slug=slug))
    _, pack = _pack(slug)
    return _page(programme, pack, form)


@bp.get("/board-pack.pdf")
def pdf(slug: str) -> Response:
    _, pack = _pack(slug)
    body = board_pack.pdf(pack)
    current_app.logger.info("board pack PDF for %s: %d bytes", slug, len(body))
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{board_pack.pdf_name(pack)}"'},
    )


@bp.get("/board-packs")
def issued(slug: str) -> str:
    programme = get_programme_or_404(slug)
    return render_template(
        "board_pack/issued.html",
        programme=programme,
        packs=board_pack.issued_packs(programme),
        emailed=board_pack_mail.delivery_counts(programme),
        may_send=can_administer_programme(current_viewer(), programme.id),
    )


@bp.post("/board-packs/<int:pack_id>/send")
def send(slug: str, pack_id: int) -> BaseResponse:
    programme = get_programme_or_404(slug)
    require(can_administer_programme(current_viewer(), programme.id), board_pack_mail.ONLY_ADMINS)
    issued = board_pack.issued_pack_or_404(programme, pack_id)
    report = board_pack_mail.send_to_board(current_viewer(), programme, issued)
    flash(report.summary(), "warning" if report.failed else "success")
    return redirect(url_for("board_pack.issued", slug=slug))


@bp.get("/board-packs/<int:pack_id>.pdf")
def issued_pdf(slug: str, pack_id: int) -> Response:
    programme = get_programme_or_404(slug)
    issued = board_pack.issued_pack_or_404(programme, pack_id)
    # The bytes as issued, never made again: the ETag is their SHA-256.
    response = Response(
        issued.pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{board_pack.issued_pdf_name(issued, slug)}"'
            ),
        },
    )
    response.set_etag(issued.sha256)
    return response
