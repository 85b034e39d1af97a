"""The ``vecino`` command: Flask's CLI with Vecino's verbs (see README, "Commands")."""

from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup

from admin.cli import users_group

# The worker lives in the top-level ``scheduler`` package; its commands join ours here.
from scheduler.cli import outbox_group, worker_command

from .channels.telegram.cli import group as telegram_group
from .config import Settings
from .directory import cli as directory_cli
from .outreach.cli import (
    broadcasts_group,
    comments_group,
    events_group,
    results_group,
    votes_group,
)
from .retention_cli import contacts_group, retention_group
from .surveys.cli import surveys_group


def _create_app():  # type: ignore[no-untyped-def]
    from .app import create_app

    return create_app()


class VecinoGroup(FlaskGroup):
    """Flask's group without its own ``run``: ours serves on ``PORT`` and prints how to connect."""

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name == "run":
            return run
        return super().get_command(ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | {"run"})


@click.group(
    cls=VecinoGroup, create_app=_create_app, add_default_commands=True, add_version_option=False
)
def main() -> None:
    """Vecino: a bilingual SMS and Telegram bot for community organizations."""


main.add_command(telegram_group)
main.add_command(worker_command)
main.add_command(outbox_group)


@click.command("run")
@click.option(
    "--host", default=lambda: os.environ.get("HOST", "127.0.0.1"), show_default="$HOST or 127.0.0.1"
)
@click.option(
    "--port",
    type=int,
    default=lambda: int(os.environ.get("PORT", "5000")),
    show_default="$PORT or 5000",
)
@click.option(
    "--worker/--no-worker",
    default=True,
    show_default=True,
    help="Also run the scheduler and outbox sender in this process.",
)
def run(host: str, port: int, worker: bool) -> None:
    """Serve the bot for development and small deployments (with the worker embedded)."""
    from werkzeug.serving import run_simple

    from .app import create_app

    app = create_app()
    settings: Settings = app.config["SETTINGS"]
    # Exactly one embedded worker: this command never uses the reloader (which would import
    # the app twice), and gunicorn's web workers never come through here.
    if worker and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        from scheduler.worker import start_embedded

        start_embedded(app.extensions["vecino"])
    public = settings.public_base_url or f"http://{host}:{port}"
    click.echo(
        f"\nVecino is running on http://{host}:{port}\n"
        f"  Talk to it in a terminal:   vecino chat   (or .venv/bin/vecino chat)\n"
        f"  Twilio messaging webhook:   {public}/webhooks/twilio   (HTTP POST)\n"
        f"  Health check:               http://{host}:{port}/healthz\n"
        + ("  Worker: follow-ups and reminders are sent from this process.\n" if worker else "")
        + (
            ""
            if settings.twilio_auth_token
            else "  TWILIO_AUTH_TOKEN is not set: Twilio webhooks will be refused (403).\n"
        )
    )
    run_simple(host, port, app, threaded=True, use_reloader=False)


@main.command("web", with_appcontext=False)
@click.option(
    "--host", default=lambda: os.environ.get("HOST", "0.0.0.0"), show_default="$HOST or 0.0.0.0"
)
@click.option(
    "--port", type=int, default=lambda: int(os.environ.get("PORT", "5000")), show_default="$PORT"
)
@click.option("--threads", type=int, default=lambda: int(os.environ.get("WEB_THREADS", "8")))
def web(host: str, port: int, threads: int) -> None:
    """Serve the webhooks in production, safe to expose directly (waitress).

    waitress reads each request whole (headers and body) on its I/O loop before a thread
    runs it, so clients that send slowly hold a socket, never one of the threads; gunicorn
    (the Procfile) leaves that job to the platform's router. See README, "Slow clients".
    """
    from .app import MAX_REQUEST_BYTES

    os.execvp(
        sys.executable,
        [
            sys.executable,
            "-m",
            "waitress",
            f"--host={host}",
            f"--port={port}",
            f"--threads={threads}",
            "--connection-limit=1000",  # idle sockets are cheap; threads are not
            "--channel-timeout=30",  # a connection silent for 30 s is closed
            f"--max-request-body-size={MAX_REQUEST_BYTES}",
            "--max-request-header-size=65536",
            "--asyncore-use-poll",  # select() stops at 1024 sockets
            "bot.wsgi:app",
        ],
    )


@main.group("db")
def db_group() -> None:
    """Database migrations."""


@db_group.command("upgrade", with_appcontext=False)
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from .schema import upgrade

    settings = Settings.from_env()
    upgrade(settings.database_url, revision)
    click.echo(f"Database is at {revision}.")


@db_group.command("downgrade", with_appcontext=False)
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION."""
    from .schema import downgrade

    downgrade(Settings.from_env().database_url, revision)


@main.group("flows")
def flows_group() -> None:
    """Conversation flows in flows/."""


@flows_group.command("check", with_appcontext=False)
@click.option("--quiet", is_flag=True, help="Only print faults and warnings.")
def flows_check(quiet: bool) -> None:
    """Validate every flow and print each message's SMS segment count per language."""
    from .flowcheck import check_flows

    ok = check_flows(Settings.from_env(), echo=click.echo, verbose=not quiet)
    if not ok:
        sys.exit(1)


@main.command("chat")
@click.option(
    "--address",
    default="+12135550100",
    show_default=True,
    help="The resident's number (or Telegram chat id) to pretend to be.",
)
@click.option(
    "--channel",
    type=click.Choice(["sms", "whatsapp", "telegram"]),
    default="sms",
    show_default=True,
)
def chat(address: str, channel: str) -> None:
    """Talk to the bot as a resident would, through the same engine and database."""
    import logging

    from .channels.console import run_chat

    logging.getLogger().setLevel(logging.WARNING)  # the transcript is the output here
    run_chat(current_app.extensions["vecino"], channel, address, sys.stdin, click.echo)


main.add_command(surveys_group)
main.add_command(events_group)
main.add_command(broadcasts_group)
main.add_command(results_group)
main.add_command(votes_group)
main.add_command(comments_group)
main.add_command(directory_cli.resources)
main.add_command(directory_cli.demo)
main.add_command(users_group)
main.add_command(retention_group)
main.add_command(contacts_group)


if __name__ == "__main__":
    main()
