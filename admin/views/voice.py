"""Community voice: votes (tallies per option and language, create, close) and public comment
(the comments per item, de-identified, and the export ``vecino comments export`` writes).

The domain (``bot/outreach/votes.py``, ``comments.py``) does the work. Comments are shown as
the export shows them (date, language, contact details redacted), never with who wrote them.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from bot.outreach import comments, votes
from bot.outreach.models import CommentRound, PublicComment, Vote

from .. import audit
from ..blueprint import STAFF, allow, blueprint
from ..context import client_ip, current_user, now, reading, transaction
from ..context import gettext as _
from ..outreach_forms import MAX_OPTIONS, FormRefused, vote_values

PAGE = 100
COMMENTS_SHOWN = 500


def _votes_page(values: dict | None = None, error: str | None = None):  # type: ignore[no-untyped-def]
    with reading() as db:
        rows = list(db.scalars(select(Vote).order_by(Vote.id.desc()).limit(PAGE)))
        tallies = {vote.id: votes.tally(db, vote) for vote in rows}
    page = render_template(
        "admin/votes.html",
        rows=rows,
        tallies=tallies,
        values=values or {},
        error=error,
        option_rows=range(MAX_OPTIONS if error else 4),
    )
    return (page, 400) if error else page


@blueprint.route("/votes")
@allow(*STAFF)
def votes_page():  # type: ignore[no-untyped-def]
    return _votes_page()


@blueprint.route("/votes", methods=["POST"])
@allow(*STAFF)
def create_vote():  # type: ignore[no-untyped-def]
    moment = now()
    try:
        question_en, question_es, options = vote_values(request.form)
        with transaction() as db:
            vote = votes.create_vote(db, question_en, question_es, options, moment)
            audit.record(
                db, current_user(), "vote.create", moment, target=f"vote:{vote.id}",
                detail={"options": len(options)}, ip=client_ip(),
            )  # fmt: skip
    except (FormRefused, votes.VoteError) as refused:
        values = {
            "question_en": request.form.get("question_en", ""),
            "question_es": request.form.get("question_es", ""),
            "option_en": request.form.getlist("option_en"),
            "option_es": request.form.getlist("option_es"),
        }
        return _votes_page(values, str(refused))
    flash(_("Vote open. Residents answer it by texting VOTAR or VOTE."), "info")
    return redirect(url_for("admin.votes_page"))


@blueprint.route("/votes/<int:vote_id>/close", methods=["POST"])
@allow(*STAFF)
def close_vote(vote_id: int):  # type: ignore[no-untyped-def]
    moment = now()
    with transaction() as db:
        vote = db.get(Vote, vote_id)
        if vote is None:
            abort(404, description=_("There is no vote {id}.", id=vote_id))
        changed = votes.close(vote, moment)
        if changed:
            audit.record(
                db, current_user(), "vote.close", moment, target=f"vote:{vote_id}",
                ip=client_ip(),
            )  # fmt: skip
    flash(_("Vote closed.") if changed else _("This vote was already closed."), "info")
    return redirect(url_for("admin.votes_page"))


@blueprint.route("/comments")
@allow(*STAFF)
def comments_page():  # type: ignore[no-untyped-def]
    with reading() as db:
        rounds = list(db.scalars(select(CommentRound).order_by(CommentRound.id.desc())))
        totals = dict(
            db.execute(
                select(PublicComment.round_id, func.count()).group_by(PublicComment.round_id)
            ).all()
        )
        chosen_id = request.args.get("round", "")
        chosen = next((r for r in rounds if str(r.id) == chosen_id), rounds[0] if rounds else None)
        shown = []
        if chosen is not None:
            shown = list(
                db.scalars(
                    select(PublicComment)
                    .where(PublicComment.round_id == chosen.id)
                    .order_by(PublicComment.consented_at, PublicComment.id)
                    .limit(COMMENTS_SHOWN)
                )
            )
    return render_template(
        "admin/comments.html",
        rounds=rounds,
        totals=totals,
        chosen=chosen,
        shown=shown,
        redact=comments.redact,
        limit=COMMENTS_SHOWN,
    )


@blueprint.route("/comments/<int:round_id>/export.txt")
@allow(*STAFF)
def export_comments(round_id: int):  # type: ignore[no-untyped-def]
    """The same document as ``vecino comments export``, as a download; audited."""
    with transaction() as db:
        found = db.get(CommentRound, round_id)
        if found is None:
            abort(404, description=_("There is no comment item {id}.", id=round_id))
        text = comments.export_text(db, found)
        audit.record(
            db, current_user(), "comments.export", now(), target=f"comments:{round_id}",
            ip=client_ip(),
        )  # fmt: skip
    return Response(
        text,
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="public-comment-{round_id}.txt"'},
    )
