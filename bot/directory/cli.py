"""``vecino resources import|export`` and ``vecino demo``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import ScriptInfo

from ..db import Database


def _database() -> Database:
    """The application's database, as ``vecino`` (or a test's CLI runner) configured it."""
    info = click.get_current_context().find_object(ScriptInfo)
    if info is None:
        raise click.UsageError("run this through the vecino command")
    return info.load_app().extensions["vecino"].db


@click.group("resources")
def resources() -> None:
    """The directory of places that help (food, housing, ...)."""


@resources.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and report, but write nothing.")
def import_command(path: Path, dry_run: bool) -> None:
    """Import an HSDS folder of CSVs or a flat-template CSV (see docs/resource-finder.md)."""
    from .importer import ImportFailed, import_path

    db = _database()
    session = db.sessions()
    try:
        report = import_path(session, path)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    except ImportFailed as error:
        session.rollback()
        for reason in error.reasons:
            click.echo(f"ERROR {reason}", err=True)
        click.echo("Nothing was imported.", err=True)
        sys.exit(1)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    for line in report.lines():
        click.echo(line)
    skipped = len(report.problems)
    verb = "Checked (dry run, nothing written)" if dry_run else "Imported"
    click.echo(f"{verb}; {skipped} row(s) skipped." if skipped else f"{verb}; no rows skipped.")
    if skipped:
        sys.exit(2)  # something needs the partner's attention; the good rows are in


@resources.command("export")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
def export_command(out: Path | None) -> None:
    """Write the directory as the flat template (CSV, UTF-8)."""
    from .exporter import export_flat

    with _database().transaction() as session:
        if out is None:
            count = export_flat(session, sys.stdout)
        else:
            with out.open("w", encoding="utf-8", newline="") as handle:
                count = export_flat(session, handle)
    click.echo(f"Exported {count} row(s).", err=True)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load when the directory has no places.")
def demo(if_empty: bool) -> None:
    """Load the Food Oasis LA 2017 demo directory (see data/demo/NOTICE)."""
    from .demo import load_demo
    from .search import directory_has_resources

    with _database().transaction() as session:
        if if_empty and directory_has_resources(session):
            click.echo("The directory already has places; demo data not loaded.")
            return
        report = load_demo(session)
    table = "service_at_location"
    places = report.created[table] + report.updated[table] + report.unchanged[table]
    click.echo(
        f"Loaded the demo directory: {places} places (Food Oasis LA, Hack for LA, 2017; MIT). "
        f"Searchable places in the directory: {report.searchable}."
    )
    for problem in report.problems:
        click.echo(f"SKIPPED {problem}")
