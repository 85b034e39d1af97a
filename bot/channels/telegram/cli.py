"""``vecino telegram ...``: point Telegram at this deployment, or poll for local development."""

from __future__ import annotations

import logging
import secrets
import time

import click
from flask import current_app
from flask.cli import AppGroup
from telegram import BotCommand
from telegram.error import Conflict, NetworkError, TelegramError

from .channel import TelegramChannel
from .client import LONG_POLL_SECONDS
from .messages import COMMANDS
from .updates import ALLOWED_UPDATES

log = logging.getLogger(__name__)
group = AppGroup("telegram", help="The Telegram bot: webhook and local polling.")
WEBHOOK_PATH = "/webhooks/telegram"
RETRY_PAUSE = 5  # seconds between attempts while Telegram cannot be reached


def _channel() -> TelegramChannel:
    vecino = current_app.extensions["vecino"]
    if not vecino.settings.telegram_bot_token:
        raise click.ClickException("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather).")
    return TelegramChannel.for_app(vecino)


@group.command("set-webhook")
@click.option(
    "--drop-pending-updates", is_flag=True, help="Discard updates Telegram queued meanwhile."
)
def set_webhook(drop_pending_updates: bool) -> None:
    """Send Telegram our webhook URL, the secret token and the update types we handle."""
    settings = current_app.config["SETTINGS"]
    if not settings.public_base_url:
        raise click.ClickException("PUBLIC_BASE_URL is not set (e.g. https://vecino.example.org).")
    if not settings.public_base_url.startswith("https://"):
        raise click.ClickException("Telegram only calls https:// webhooks; fix PUBLIC_BASE_URL.")
    if not settings.telegram_webhook_secret:
        raise click.ClickException(
            "TELEGRAM_WEBHOOK_SECRET is not set. For example: "
            f"TELEGRAM_WEBHOOK_SECRET={secrets.token_urlsafe(32)}"
        )
    url = settings.public_base_url + WEBHOOK_PATH
    channel = _channel()
    try:
        channel.client.call(
            lambda bot: bot.set_webhook(
                url,
                secret_token=settings.telegram_webhook_secret,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=drop_pending_updates,
            )
        )
        set_commands(channel)
    except TelegramError as error:
        raise click.ClickException(f"Telegram refused: {error.message}") from error
    finally:
        channel.close()
    click.echo(f"Webhook set: {url}")
    click.echo(f"Updates: {', '.join(ALLOWED_UPDATES)}")
    if drop_pending_updates:
        click.echo("Pending updates dropped.")


@group.command("delete-webhook")
@click.option("--drop-pending-updates", is_flag=True)
def delete_webhook(drop_pending_updates: bool) -> None:
    """Stop Telegram calling the webhook (needed before `vecino telegram poll`)."""
    channel = _channel()
    try:
        channel.client.call(
            lambda bot: bot.delete_webhook(drop_pending_updates=drop_pending_updates)
        )
    except TelegramError as error:
        raise click.ClickException(f"Telegram refused: {error.message}") from error
    finally:
        channel.close()
    click.echo("Webhook deleted.")


def set_commands(channel: TelegramChannel) -> None:
    """The command menu beside the text box, in English and (for Spanish clients) Spanish."""
    catalogs = channel.vecino.catalogs
    for language in ("en", "es"):
        commands = [
            BotCommand(name, catalogs.gettext(language, description))
            for name, description in COMMANDS.items()
        ]
        code = None if language == "en" else language
        channel.client.call(
            lambda bot, c=commands, lc=code: bot.set_my_commands(c, language_code=lc)
        )


@group.command("poll")
@click.option("--once", is_flag=True, help="Handle one batch of updates, then exit.")
def poll(once: bool) -> None:
    """Long-poll Telegram and handle updates like the webhook does (local development)."""
    channel = _channel()
    click.echo("Polling Telegram for updates; Ctrl-C to stop.")
    try:
        offset = 0
        while True:
            offset = poll_once(channel, offset)
            if once:
                break
    except KeyboardInterrupt:
        click.echo("\nStopped.")
    except Conflict as error:
        raise click.ClickException(
            "A webhook is set for this bot, so Telegram will not hand out updates by polling. "
            "Run `vecino telegram delete-webhook` first."
        ) from error
    finally:
        channel.close()


def poll_once(channel: TelegramChannel, offset: int) -> int:
    """Fetch one batch (waiting up to the long-poll time), handle it, return the next offset.

    An update is handled before the offset moves past it; if we stop midway, Telegram hands it
    out again and the conversation service recognises it by its update id.
    """
    try:
        updates = channel.client.call(
            lambda bot: bot.get_updates(
                offset=offset or None,
                timeout=LONG_POLL_SECONDS,
                allowed_updates=list(ALLOWED_UPDATES),
            ),
            timeout=LONG_POLL_SECONDS + 30,
        )
    except NetworkError as error:
        click.echo(f"Telegram unreachable ({type(error).__name__}); trying again.", err=True)
        time.sleep(RETRY_PAUSE)
        return offset
    for update in updates:
        handled = channel.handle(update)
        click.echo(f"update {update.update_id}: {handled.outcome}")
        if handled.telegram_unreachable:
            time.sleep(RETRY_PAUSE)
            return update.update_id  # fetch it again: its unsent replies go out then
        offset = update.update_id + 1
    return offset
