"""Golden conversations with the resource finder over the real demo directory (Food Oasis LA
2017), clock frozen on Tuesday 24 November 2026, 10:00 in Los Angeles.

Cases live in ``tests/conversations/directory/``; a case may say ``directory: empty`` to run
without the demo data. Regenerate with ``--update-golden`` and review the diff like code.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.directory.demo import load_demo
from tests.test_conversations import _GoldenDumper, play

CASES = sorted((Path(__file__).parent / "conversations" / "directory").glob("*.yaml"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_directory_conversation(path: Path, vecino, clock, request):  # type: ignore[no-untyped-def]
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    if case.get("directory", "demo") == "demo":
        with vecino.db.transaction() as session:
            load_demo(session)
    played = play(vecino, clock, case)
    if request.config.getoption("--update-golden"):
        case["turns"] = played
        path.write_text(
            yaml.dump(case, Dumper=_GoldenDumper, allow_unicode=True, sort_keys=False, width=100),
            encoding="utf-8",
        )
        return
    for expected, actual in zip(case["turns"], played, strict=True):
        if "send" in expected:
            assert actual["expect"] == expected.get("expect", ""), f"after {expected['send']!r}"
