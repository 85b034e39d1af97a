"""The ``vecino`` command as a newcomer runs it: real processes, real database files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT

VECINO = [sys.executable, "-m", "bot.cli"]


def run(
    args: list[str], tmp_path: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "SECRET_KEY": "cli-test",
        **env,
    }
    return subprocess.run(
        VECINO + args,
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=PROJECT_ROOT,
        timeout=120,
    )


def test_chat_walks_welcome_language_menu_opt_out_and_opt_in(tmp_path: Path):
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    script = "hola\n1\n1\nmenu\nEN\nSTOP\nhello\nSTART\n"
    result = run(["chat", "--address", "+12135550199"], tmp_path, stdin=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "you> hola\nbot> ¡Hola! Soy Vecino" in out
    assert "bot> ¿En qué te puedo ayudar?" in out
    assert "Vecino es de madres, padres y vecinos" in out
    assert "OK, I will write to you in English." in out
    assert "you> hello\nbot> (no reply)" in out
    assert "welcome back!" in out
    assert "2135550199" not in result.stderr  # no number in the logs


def test_chat_state_survives_a_restart(tmp_path: Path):
    run(["db", "upgrade"], tmp_path)
    run(["chat"], tmp_path, stdin="hola\n2\n")
    result = run(["chat"], tmp_path, stdin="1\n")
    assert "bot> Vecino is run by parents" in result.stdout


def test_flows_check_passes_on_shipped_flows_and_prints_segments(tmp_path: Path):
    result = run(["flows", "check"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "menu                         es     " in result.stdout
    assert "segment(s)" in result.stdout


def test_flows_check_names_file_step_and_reason(tmp_path: Path):
    flows = tmp_path / "flows"
    shutil.copytree(PROJECT_ROOT / "flows", flows)
    (flows / "broken.yaml").write_text(
        """
id: broken
start: first
steps:
  first:
    say: {en: "Hello"}
    next: missing
  orphan:
    say: {en: "Nobody comes here", es: "Nadie llega aquí"}
  act:
    action: no_such_action
"""
    )
    result = run(["flows", "check"], tmp_path, VECINO_FLOWS_DIR=str(flows))
    assert result.returncode == 1
    out = result.stdout
    assert "ERROR broken.yaml: step 'first': text has no 'es' translation" in out
    assert "ERROR broken.yaml: step 'first': goes to step 'missing', which does not exist" in out
    assert "ERROR broken.yaml: step 'orphan': unreachable" in out
    assert "ERROR broken.yaml: step 'act': unknown action 'no_such_action'" in out


def test_flows_check_warns_above_three_segments(tmp_path: Path):
    flows = tmp_path / "flows"
    shutil.copytree(PROJECT_ROOT / "flows", flows)
    long_es = "á" * 210  # UCS-2: 4 segments
    (flows / "long.yaml").write_text(
        f'id: long\nstart: a\nsteps:\n  a:\n    say: {{en: "short", es: "{long_es}"}}\n'
    )
    result = run(["flows", "check"], tmp_path, VECINO_FLOWS_DIR=str(flows))
    assert result.returncode == 0
    assert "WARNING long/a [es]: 4 segments (more than 3)" in result.stdout


def test_app_refuses_to_start_on_an_invalid_flow(tmp_path: Path):
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "main_menu.yaml").write_text((PROJECT_ROOT / "flows" / "main_menu.yaml").read_text())
    result = run(["chat"], tmp_path, stdin="hola\n", VECINO_FLOWS_DIR=str(flows))
    assert result.returncode != 0
    assert "required flow 'welcome' is missing" in result.stderr + result.stdout
