"""The board pack's page and its PDF, for any member of the programme (a non-member is told
there is no such programme, as everywhere). Both are made for today from the dashboard's
services; "prepared by" is the reader until issuing records who issued it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response, current_app
from flask_login import current_user

from tracker.services import board_pack
from tracker.services.programmes import get_programme_or_404

if TYPE_CHECKING:
    from tracker.domain.board_pack import BoardPack
    from tracker.models import Programme

bp = Blueprint("board_pack", __name__, url_prefix="/p/<slug>")
# The page is /board-pack and the PDF /board-pack.pdf: a blueprint prefix of /board-pack could
# only give /board-pack/.pdf.


def _pack(slug: str) -> tuple[Programme, BoardPack]:
    programme = get_programme_or_404(slug)
    return programme, board_pack.gather(programme, prepared_by=current_user.name)


@bp.get("/board-pack")
def show(slug: str) -> str:
    programme, pack = _pack(slug)
    return board_pack.page_html(pack, programme)


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
