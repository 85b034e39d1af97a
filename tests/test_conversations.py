"""Golden conversation tests: each file in ``tests/conversations/`` is a resident's messages
and the exact replies they must get, through the real service and database, clock frozen.

A case may list ``setup`` commands (``vecino`` arguments) to run before its turns, e.g.
``[demo]`` to load the demo directory or ``[surveys, open, phq2]``; ``deliver`` runs the
worker's sender once (console senders), so what the setup queued (an invitation) goes out.
A ``deliver: true`` turn does the same between turns (after a ``wait``, say) and records what
went out as ``sent``. A turn with ``from: ADDRESS`` is sent by another resident on the same
channel (two residents replying to the same offer).
Regenerate the expected replies after an intended change with
``pytest tests/test_conversations.py --update-golden`` and review the diff like code.

Each turn's replies are rendered for both channels from the same engine replies: ``expect`` is
the SMS text, ``expect_telegram`` the Telegram messages (text as sent, HTML-escaped, then one
``[button]`` line per keyboard row).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.channels import sms
from bot.cli import main
from bot.conversations import Envelope
from bot.engine import Inbound

FOLDER = Path(__file__).parent / "conversations"
# An event's public token is random: a calendar link reads the same in every run.
CALENDAR_LINK = re.compile(r"/events/[A-Za-z0-9_-]+\.ics")


CASES = sorted(FOLDER.rglob("*.yaml"))


def _steady(text: str) -> str:
    return CALENDAR_LINK.sub("/events/TOKEN.ics", text)


def _literal(dumper: yaml.Dumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


class _GoldenDumper(yaml.SafeDumper):
    pass


_GoldenDumper.add_representer(str, _literal)


def play(vecino, clock, case: dict) -> list[dict]:  # type: ignore[no-untyped-def]
    """Run a case's turns and return them with the replies actually received."""
    from bot.channels.telegram import TelegramRenderer

    channel = case.get("channel", "sms")
    address = str(case.get("address", "+12135550123"))
    played = []
    for number, turn in enumerate(case["turns"]):
        if "wait" in turn:
            clock.advance(**turn["wait"])
            played.append({"wait": turn["wait"]})
            continue
        if turn.get("deliver"):
            played.append({"deliver": True, "sent": _steady(_deliver_and_read(vecino))})
            continue
        envelope = Envelope(
            channel,
            str(turn.get("from", address)),
            Inbound(text=str(turn["send"])),
            provider_id=f"{case['name']}-{number}",
        )
        delivery = vecino.conversations.receive(envelope)
        replies = sms.render(delivery.replies)
        telegram = TelegramRenderer(vecino.catalogs, delivery.language).render(delivery.replies)
        played.append(
            {
                **({"from": str(turn["from"])} if "from" in turn else {}),
                "send": str(turn["send"]),
                "expect": _steady("\n---\n".join(replies)),
                "expect_telegram": _steady("\n---\n".join(m.as_text() for m in telegram)),
            }
        )
    return played


def run_setup(app, case: dict) -> None:  # type: ignore[no-untyped-def]
    """A case's ``setup``: ``vecino`` commands run first, e.g. ``[surveys, open, phq2]``."""
    runner = app.test_cli_runner()
    for args in case.get("setup", []):
        if args == "deliver":
            _deliver(app.extensions["vecino"])
            continue
        result = runner.invoke(main, [str(arg) for arg in args])
        assert result.exit_code == 0, result.output


def _deliver_and_read(vecino) -> str:  # type: ignore[no-untyped-def]
    """Run the sender once; the texts it sent, in order."""
    from sqlalchemy import func, select

    from bot.models import Message

    with vecino.db.transaction() as session:
        before = session.scalar(select(func.max(Message.id))) or 0
    _deliver(vecino)
    with vecino.db.transaction() as session:
        query = select(Message.body).where(Message.id > before, Message.direction == "out")
        return "\n---\n".join(session.scalars(query.order_by(Message.id)))


def _deliver(vecino) -> None:  # type: ignore[no-untyped-def]
    from bot.channels.console import ConsoleSender
    from bot.outbound.dispatch import Dispatcher

    senders = {"sms": ConsoleSender(), "telegram": ConsoleSender()}
    clock = vecino.conversations.clock
    Dispatcher(vecino.db, vecino.engine, vecino.settings, senders, {}, "golden", clock).run_once()


@pytest.mark.parametrize(
    "path", CASES, ids=[str(p.relative_to(FOLDER).with_suffix("")) for p in CASES]
)
def test_golden_conversation(path: Path, app, vecino, clock, request):  # type: ignore[no-untyped-def]
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    run_setup(app, case)
    played = play(vecino, clock, case)
    if request.config.getoption("--update-golden"):
        case["turns"] = played
        path.write_text(
            yaml.dump(case, Dumper=_GoldenDumper, allow_unicode=True, sort_keys=False, width=100),
            encoding="utf-8",
        )
        return
    for expected, actual in zip(case["turns"], played, strict=True):
        if expected.get("deliver"):
            assert actual["sent"] == expected.get("sent", ""), "what the worker sent"
        if "send" in expected:
            assert actual["expect"] == expected.get("expect", ""), f"after {expected['send']!r}"
            assert "expect_telegram" in expected, "no Telegram expectation: run --update-golden"
            assert actual["expect_telegram"] == expected["expect_telegram"], (
                f"Telegram, after {expected['send']!r}"
            )
