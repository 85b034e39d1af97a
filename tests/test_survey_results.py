"""Scores, the de-identified CSV export, summary counts, the survey checks and the CLI."""

from __future__ import annotations

import csv
import io
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import PROJECT_ROOT
from bot.engine import load_flows
from bot.privacy import pseudonym
from bot.surveys.definitions import Score, load_surveys, validate_surveys
from bot.surveys.results import export_rows, summarize
from bot.surveys.scoring import compute
from tests.test_surveys import Resident, open_survey, spanish

SURVEYS = load_surveys(PROJECT_ROOT / "flows")
HVS = next(s for s in SURVEYS["hunger_vital_sign"].scores if s.key == "hvs_positive")
PHQ2 = next(s for s in SURVEYS["phq2"].scores if s.key == "phq2")


@pytest.mark.parametrize(
    ("worried", "ran_out", "value", "positive"),
    [
        ("often", "never", 1, True),
        ("never", "sometimes", 1, True),
        ("never", "never", 0, False),
        (None, "never", None, None),  # skipped one, the other negative: cannot tell
        (None, "often", 1, True),
    ],
)
def test_hunger_vital_sign_scoring(worried, ran_out, value, positive):  # type: ignore[no-untyped-def]
    result = compute(HVS, {"hvs_worried": worried, "hvs_ran_out": ran_out})
    assert (result.value, result.positive) == (value, positive)


@pytest.mark.parametrize(
    ("interest", "down", "value", "positive"),
    [
        ("not_at_all", "not_at_all", 0, False),
        ("several_days", "more_than_half", 3, True),
        ("several_days", "several_days", 2, False),
        ("nearly_every_day", "nearly_every_day", 6, True),
        (None, "nearly_every_day", None, True),
        (None, "several_days", None, None),
    ],
)
def test_phq2_scoring(interest, down, value, positive):  # type: ignore[no-untyped-def]
    result = compute(PHQ2, {"phq2_interest": interest, "phq2_down": down})
    assert (result.value, result.positive) == (value, positive)


def test_any_score_on_a_multiple_choice_answer():
    score = Score(key="needs_food", kind="any", items=("needs",), positive=("food",))
    assert compute(score, {"needs": ["work", "food"]}).positive is True
    assert compute(score, {"needs": ["work"]}).positive is False


def _rows(vecino, key: str, **options) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        header, rows = export_rows(session, SURVEYS[key], "test-secret-key", **options)
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return list(csv.DictReader(io.StringIO(buffer.getvalue())))


@pytest.fixture
def family_answers(vecino):  # type: ignore[no-untyped-def]
    open_survey(vecino, "family_checkin")
    first = spanish(Resident(vecino, "+12135550101"))
    first.say("encuesta familia", "sí", "4", "2", "sí", "1 3", "mi código es 90057", "3/2021")
    first.say("Mi vecina Rosa López necesita ayuda")
    second = Resident(vecino, "+12135550102")
    second.say("hi", "2", "family survey", "yes", "skip", "5", "7")
    return first, second


def test_export_is_one_row_per_response_de_identified_with_scores(vecino, family_answers):  # type: ignore[no-untyped-def]
    rows = _rows(vecino, "family_checkin")
    assert len(rows) == 2
    first, second = rows
    text = repr(rows)
    assert "2135550101" not in text and "2135550102" not in text  # no phone numbers
    assert first["resident"].startswith("r_") and first["resident"] != second["resident"]
    assert "comments" not in first  # free text is withheld by default
    assert "Rosa" not in text
    assert first["household_size"] == "4"
    assert first["wellbeing"] == "2"
    assert first["wants_call"] == "yes"
    assert first["needs"] == "food;work"
    assert first["zip"] == "suppressed"  # fewer than 11 respondents share it
    assert first["moved_in"] == "2021"  # the year only, by default
    assert (first["callback"], first["needs_food"], first["needs_housing"]) == ("1", "1", "0")
    assert (first["status"], first["language"], first["channel"]) == ("completed", "es", "sms")
    assert first["flagged"] == "1" and first["flags"] == "callback"
    assert first["consent_at"] == "2026-11-24T18:00:00Z"
    assert first["survey_version"] == "2"
    # The second resident skipped one question and never reached the rest.
    assert second["household_size"] == "skipped"
    assert second["wellbeing"] == "5"
    assert second["wants_call"] == ""  # not asked: the week was good
    assert second["needs"] == "nothing"
    assert second["zip"] == ""
    assert second["status"] == "in_progress"
    assert second["needs_food"] == "0" and second["callback"] == ""


def test_a_question_s_top_code_is_honoured_by_the_default_export(vecino, family_answers):  # type: ignore[no-untyped-def]
    """``top_code: 3`` shows 4 people as "3+"; ``top_code: false`` keeps it; --exact ignores
    both. The default (6) stays for every other number question."""
    survey = SURVEYS["family_checkin"]

    def with_top_code(value: int | None):  # type: ignore[no-untyped-def]
        questions = tuple(
            replace(q, top_code=value) if q.key == "household_size" else q for q in survey.questions
        )
        return replace(survey, questions=questions)

    for value, shown in ((3, "3+"), (None, "4"), (6, "4")):
        with vecino.db.transaction() as session:
            header, rows = export_rows(session, with_top_code(value), "k")
        assert rows[0][header.index("household_size")] == shown, value
    with vecino.db.transaction() as session:
        header, rows = export_rows(session, with_top_code(3), "k", exact=True)
    assert rows[0][header.index("household_size")] == "4"


def test_top_code_is_read_from_the_survey_file(tmp_path: Path):
    def household(top_code: str) -> str:
        return f"    save: household_size\n    top_code: {top_code}\n"

    for written, expected in (("false", None), ("50", 50)):
        flows = _broken_flows(
            tmp_path / written,
            lambda t, w=written: t.replace("    save: household_size\n", household(w)),
            "family_checkin.yaml",
        )
        assert validate_surveys(load_flows(flows)) == []  # what residents see did not change
        question = load_surveys(flows)["family_checkin"].question("household_size")
        assert question is not None and question.top_code == expected
    bad = _broken_flows(
        tmp_path / "bad",
        lambda t: t.replace("    save: household_size\n", household("'lots'")),
        "family_checkin.yaml",
    )
    faults = [str(f) for f in validate_surveys(load_flows(bad))]
    assert any("top_code must be false" in f for f in faults), faults


def test_pseudonym_is_the_contact_s_and_stable(vecino, family_answers):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from bot.models import Contact

    with vecino.db.transaction() as session:
        ids = {c.address: c.id for c in session.scalars(select(Contact))}
    rows = _rows(vecino, "family_checkin")
    assert rows[0]["resident"] == pseudonym("test-secret-key", ids["+12135550101"])
    assert rows[1]["resident"] == pseudonym("test-secret-key", ids["+12135550102"])
    assert _rows(vecino, "family_checkin")[0]["resident"] == rows[0]["resident"]


def test_export_options_add_free_text_and_identities(vecino, family_answers):  # type: ignore[no-untyped-def]
    rows = _rows(vecino, "family_checkin", include_free_text=True, identified=True)
    assert rows[0]["comments"] == "Mi vecina Rosa López necesita ayuda"
    assert rows[0]["address"] == "+12135550101"


def test_free_text_cannot_become_a_spreadsheet_formula(vecino):  # type: ignore[no-untyped-def]
    open_survey(vecino, "family_checkin")
    resident = Resident(vecino)
    resident.say("hi", "2", "family survey", "yes", "skip", "5", "7", "skip", "skip")
    resident.say('=HYPERLINK("http://example.com","click")')
    (row,) = _rows(vecino, "family_checkin", include_free_text=True)
    assert row["comments"] == '\'=HYPERLINK("http://example.com","click")'


def test_export_counts_abandoned_responses_only_when_asked(vecino):  # type: ignore[no-untyped-def]
    open_survey(vecino, "hunger_vital_sign")
    resident = spanish(Resident(vecino))
    resident.say("encuesta comida", "sí", "1", "menu", "encuesta comida", "volver a empezar")
    resident.say("sí", "3", "3")
    assert [r["status"] for r in _rows(vecino, "hunger_vital_sign")] == ["completed"]
    rows = _rows(vecino, "hunger_vital_sign", include_abandoned=True)
    assert [(r["status"], r["hvs_worried"], r["hvs_positive"]) for r in rows] == [
        ("abandoned", "often", "1"),
        ("completed", "never", "0"),
    ]


def test_phq2_export_has_the_score_and_the_screen(vecino):  # type: ignore[no-untyped-def]
    open_survey(vecino, "phq2")
    spanish(Resident(vecino)).say("encuesta ánimo", "sí", "2", "3")
    (row,) = _rows(vecino, "phq2")
    assert (row["phq2_interest"], row["phq2_down"]) == ("several_days", "more_than_half")
    assert (row["phq2"], row["phq2_positive"]) == ("3", "1")
    assert row["flags"] == "phq2_positive"


def test_summary_counts_per_question_and_language(vecino, family_answers):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        summary = summarize(session, SURVEYS["family_checkin"])
    assert (summary.responses, summary.completed) == (2, 1)
    assert summary.by_language == {"es": 1, "en": 1}
    questions = {q.key: q for q in summary.questions}
    assert (questions["household_size"].answered, questions["household_size"].skipped) == (1, 1)
    assert questions["wellbeing"].counts == {"2": 1, "5": 1}
    assert questions["wellbeing"].by_language == {"es": {"2": 1}, "en": {"5": 1}}
    assert questions["needs"].counts == {"food": 1, "work": 1, "nothing": 1}
    assert questions["comments"].answered == 1 and not questions["comments"].counts
    assert summary.positives["callback"] == 1 and summary.positives["needs_food"] == 1


# ---- survey checks --------------------------------------------------------------------------


def _broken_flows(tmp_path: Path, edit, name: str = "phq2.yaml") -> Path:  # type: ignore[no-untyped-def]
    flows = tmp_path / "flows"
    shutil.copytree(PROJECT_ROOT / "flows", flows)
    path = flows / "surveys" / name
    path.write_text(edit(path.read_text()))
    return flows


@pytest.mark.parametrize(
    ("edit", "fault"),
    [
        (
            lambda t: t.replace(
                "    save: phq2_down\n    skippable: true\n", "    save: phq2_down\n"
            ),
            "step 'down': survey questions must be skippable",
        ),
        (
            lambda t: t.replace("save: phq2_down", "save: phq2_interest"),
            "step 'down': question key 'phq2_interest' is also used by step 'interest'",
        ),
        (
            lambda t: t.replace("nearly_every_day: 3}", "}"),
            "score 'phq2': no points for phq2_down's choices ['nearly_every_day']",
        ),
        (
            lambda t: t.replace("items: [phq2_interest, phq2_down]", "items: [phq2_sleep]"),
            "score 'phq2': item 'phq2_sleep' is not a question key",
        ),
        (
            lambda t: t.replace("on_event: survey_record\n", ""),
            "a survey needs 'on_event: survey_record'",
        ),
        (lambda t: t.replace("  version: 2\n", "  version: one\n"), "survey.version must be"),
        (
            lambda t: t.replace("not_at_all: 0,", "not_at_all: zero,"),
            "score 'phq2': items must be a list and points whole numbers",
        ),
        (
            lambda t: t.replace("'Nearly every day', es: 'Casi", "'Almost every day', es: 'Casi"),
            "the questions changed since version 2 was recorded: raise survey.version",
        ),
        (
            lambda t: t.replace("    save: phq2_down\n", "    save: phq2_down\n    top_code: 10\n"),
            "step 'down': top_code is for number questions only",
        ),
    ],
)
def test_survey_checks_name_file_step_and_reason(tmp_path: Path, edit, fault: str):  # type: ignore[no-untyped-def]
    faults = [str(f) for f in validate_surveys(load_flows(_broken_flows(tmp_path, edit)))]
    assert any(f.startswith("phq2.yaml") and fault in f for f in faults), faults


def test_new_words_for_a_choice_do_not_change_the_version(tmp_path: Path):
    flows = _broken_flows(
        tmp_path, lambda t: t.replace("[ningun dia, nunca,", "[ningun dia, cero,")
    )
    assert validate_surveys(load_flows(flows)) == []


def test_shipped_surveys_pass_their_checks_and_cite_a_source():
    assert validate_surveys(load_flows(PROJECT_ROOT / "flows")) == []
    assert set(SURVEYS) == {
        "hunger_vital_sign", "housing_transport", "phq2", "family_checkin", "partner_checkin"
    }  # fmt: skip
    for survey in SURVEYS.values():
        assert survey.source and survey.version >= 1


# ---- CLI ------------------------------------------------------------------------------------


def test_surveys_start_closed_and_the_demo_opens_those_nobody_touched(app, vecino):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    assert "Contestar una encuesta" not in spanish(Resident(vecino)).say("menu")  # production
    runner.invoke(main, ["surveys", "close", "phq2"])  # an organizer's choice
    result = runner.invoke(main, ["surveys", "demo"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Demo surveys opened: family_checkin, housing_transport, hunger_vital_sign, "
        "partner_checkin.\n"
    )
    listing = runner.invoke(main, ["surveys", "list"]).output
    assert "phq2                 v2   closed" in listing
    assert "Contestar una encuesta" in Resident(vecino).say("menu")
    assert runner.invoke(main, ["surveys", "demo"]).output == "No demo survey to open.\n"


def test_cli_open_list_close_and_export(app, vecino, tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["surveys", "open", "hunger_vital_sign"])
    assert result.exit_code == 0 and "Survey hunger_vital_sign is open." in result.output
    spanish(Resident(vecino)).say("encuesta comida", "sí", "2", "3")
    listing = runner.invoke(main, ["surveys", "list"]).output
    assert "hunger_vital_sign    v2   open    1 completed, 0 in progress" in listing
    assert "phq2                 v2   closed  0 completed" in listing
    out = tmp_path / "hvs.csv"
    result = runner.invoke(main, ["surveys", "export", "hunger_vital_sign", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 response(s)" in result.output
    (row,) = csv.DictReader(out.open(encoding="utf-8"))
    assert (row["hvs_worried"], row["hvs_ran_out"], row["hvs_positive"]) == (
        "sometimes",
        "never",
        "1",
    )
    summary = runner.invoke(main, ["surveys", "summary", "hunger_vital_sign"]).output
    assert "hvs_worried: 1 answered, 0 skipped  [sometimes 1]" in summary
    result = runner.invoke(main, ["surveys", "close", "hunger_vital_sign"])
    assert "Survey hunger_vital_sign is closed." in result.output
    assert "Contestar una encuesta" not in Resident(vecino).say("menu")


def test_cli_refuses_an_unknown_survey(app):  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(main, ["surveys", "open", "nope"])
    assert result.exit_code != 0
    assert "no survey 'nope'" in result.output


def test_flows_check_command_reports_a_changed_survey(tmp_path: Path):
    from tests.test_cli import run

    flows = _broken_flows(tmp_path, lambda t: t.replace("'Several days', es:", "'Some days', es:"))
    result = run(["flows", "check", "--quiet"], tmp_path, VECINO_FLOWS_DIR=str(flows))
    assert result.returncode == 1
    assert "ERROR phq2.yaml: the questions changed since version 2 was recorded" in result.stdout
