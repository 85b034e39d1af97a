"""``vecino surveys``: list, open, close, summarize and export surveys."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..models import utcnow
from . import store
from .definitions import SurveyDefinition, load_surveys
from .models import COMPLETED, IN_PROGRESS, SurveyResponse
from .results import export_rows, summarize, write_csv


def _surveys() -> dict[str, SurveyDefinition]:
    return load_surveys(current_app.extensions["vecino"].settings.flows_dir)


def _known(key: str) -> SurveyDefinition:
    surveys = _surveys()
    if key not in surveys:
        names = ", ".join(sorted(surveys)) or "none"
        raise click.BadParameter(f"no survey {key!r} in flows/ (surveys: {names})")
    return surveys[key]


@click.group("surveys", cls=AppGroup)
def surveys_group() -> None:
    """Surveys in flows/surveys/: open them, close them, export their answers."""


@surveys_group.command("list")
def list_surveys() -> None:
    """Every survey with its version, whether it is open, and its responses."""
    vecino = current_app.extensions["vecino"]
    with vecino.db.transaction() as session:
        counts = {
            (key, status): number
            for key, status, number in session.execute(
                select(SurveyResponse.survey_key, SurveyResponse.status, func.count()).group_by(
                    SurveyResponse.survey_key, SurveyResponse.status
                )
            )
        }
        for key, survey in sorted(_surveys().items()):
            state = "open" if store.is_open(session, key) else "closed"
            done = counts.get((key, COMPLETED), 0)
            partial = counts.get((key, IN_PROGRESS), 0)
            click.echo(
                f"{key:<20} v{survey.version:<3} {state:<7} {done} completed, {partial} in "
                f"progress  {survey.title.get('en', '')} / {survey.title.get('es', '')}"
            )


@surveys_group.command("open")
@click.argument("key")
def open_survey(key: str) -> None:
    """Let residents take survey KEY (it appears in the menu)."""
    _set_open(key, True)


@surveys_group.command("close")
@click.argument("key")
def close_survey(key: str) -> None:
    """Stop new answers to survey KEY; what was answered stays."""
    _set_open(key, False)


@surveys_group.command("demo")
def open_demo_surveys() -> None:
    """Open the shipped surveys for a demo (`make run`), except any an organizer has
    already opened or closed. Production never runs this: surveys start closed."""
    vecino = current_app.extensions["vecino"]
    with vecino.db.transaction() as session:
        opened = store.open_untouched(session, sorted(_surveys()), utcnow())
    click.echo(
        f"Demo surveys opened: {', '.join(opened)}." if opened else "No demo survey to open."
    )


def _set_open(key: str, is_open: bool) -> None:
    _known(key)
    vecino = current_app.extensions["vecino"]
    with vecino.db.transaction() as session:
        changed = store.set_open(session, key, is_open, utcnow())
    word = "open" if is_open else "closed"
    click.echo(f"Survey {key} is {word}." if changed else f"Survey {key} was already {word}.")


@surveys_group.command("export")
@click.argument("key")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--include-free-text", is_flag=True, help="Add free-text answers (may name people).")
@click.option(
    "--identified",
    is_flag=True,
    help="Add each resident's phone number or chat id (not de-identified).",
)
@click.option("--include-abandoned", is_flag=True, help="Add responses the resident restarted.")
@click.option(
    "--exact",
    is_flag=True,
    help="Keep ZIP, counts and dates as answered (re-identifying in small areas).",
)
def export_survey(
    key: str,
    out: Path,
    include_free_text: bool,
    identified: bool,
    include_abandoned: bool,
    exact: bool,
) -> None:
    """Write survey KEY's responses to a CSV file, one row each, scores computed."""
    survey = _known(key)
    vecino = current_app.extensions["vecino"]
    with vecino.db.transaction() as session:
        header, rows = export_rows(
            session,
            survey,
            vecino.settings.secret_key,
            include_free_text=include_free_text,
            identified=identified,
            include_abandoned=include_abandoned,
            exact=exact,
        )
    with out.open("w", encoding="utf-8", newline="") as handle:
        write_csv(handle, header, rows)
    click.echo(f"Wrote {len(rows)} response(s) of {key} to {out}.")
    if identified:
        click.echo("This file identifies residents: store it safely.", err=True)


@surveys_group.command("summary")
@click.argument("key")
def summary_command(key: str) -> None:
    """Counts per question and language for survey KEY."""
    survey = _known(key)
    vecino = current_app.extensions["vecino"]
    with vecino.db.transaction() as session:
        summary = summarize(session, survey)
    languages = ", ".join(f"{k} {v}" for k, v in sorted(summary.by_language.items())) or "-"
    click.echo(
        f"{key} v{summary.version}: {summary.responses} response(s), {summary.completed} "
        f"completed ({languages})"
    )
    for question in summary.questions:
        counts = ", ".join(f"{k} {v}" for k, v in question.counts.most_common())
        click.echo(
            f"  {question.key}: {question.answered} answered, {question.skipped} skipped"
            + (f"  [{counts}]" if counts else "")
        )
    for score, positives in summary.positives.items():
        click.echo(f"  {score}: {positives} positive")
