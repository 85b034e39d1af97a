"""Surveys are flows with a ``survey:`` block: what a survey is, read from its flow file.

A survey's questions are the flow's ``ask`` steps that have a ``save`` key: that key is the
question's stable name and its column in the export. Consent and "continue where you left
off?" are ``ask`` steps too, but without ``save``, so they are never stored as answers.

The version is explicit (``version: 3``) and guarded by a fingerprint of everything a resident
is asked (question texts, choices, types, ranges, skip logic). Change a question and
``vecino flows check`` fails until the version is raised and the new fingerprint written down,
so answers given under different wordings never share a version.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..contacts import TAG_PATTERN
from ..engine.flows import Flow, FlowFault, FlowSet, Step, load_flows
from ..engine.types import LANGUAGES

QUESTION_TYPES = {"choice", "multi", "yesno", "number", "scale", "text", "zip", "date"}
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
RECORD_ACTION = "survey_record"
REQUIRED_ACTIONS = ("survey_begin", "survey_consent", "survey_complete")
SCORE_KINDS = {"any", "sum"}
PICKER_FLOW = "take_survey"  # "Take a survey": its choice question lists every survey
# The de-identified export shows a number answer at or above this as "6+": a household of 9
# in a small ZIP can single a family out. A number question may set its own ``top_code``.
DEFAULT_TOP_CODE = 6


@dataclass(frozen=True)
class Question:
    key: str
    step_id: str
    type: str
    text: Mapping[str, str]
    choices: tuple[str, ...] = ()  # choice values, in order
    # Number answers at or above this are exported as "N+" (None: as answered). Set per
    # question with ``top_code: false`` or ``top_code: 50`` in the survey file.
    top_code: int | None = DEFAULT_TOP_CODE

    @property
    def free_text(self) -> bool:
        return self.type == "text"


@dataclass(frozen=True)
class Score:
    """A scoring rule from the survey file.

    ``any``: positive when any item's answer is in ``positive`` (Hunger Vital Sign).
    ``sum``: the items' ``points`` added up, positive at ``positive_at`` or more (PHQ-2).
    """

    key: str
    kind: str
    items: tuple[str, ...]
    positive: tuple[Any, ...] = ()
    points: Mapping[str, int] = field(default_factory=dict)
    positive_at: int | None = None
    offer: Mapping[str, str] | None = None  # said at the end when positive
    flag: str | None = None  # staff flag reason when positive
    crisis_lines: bool = False  # 988 and the county line at once when positive

    def columns(self) -> tuple[str, ...]:
        return (self.key, f"{self.key}_positive") if self.kind == "sum" else (self.key,)


@dataclass(frozen=True)
class SurveyDefinition:
    key: str
    title: Mapping[str, str]
    version: int
    fingerprint: str  # computed from the file as it is now
    declared_fingerprint: str | None
    questions: tuple[Question, ...]
    scores: tuple[Score, ...]
    triggers: Mapping[str, tuple[str, ...]]
    source: str
    # ``survey.tag``: only contacts with this tag may answer (``partner`` for the partner
    # survey); residents are never offered it. None: anyone.
    tag: str | None = None

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    @property
    def question_keys(self) -> tuple[str, ...]:
        return tuple(q.key for q in self.questions)


def is_survey(flow: Flow) -> bool:
    return isinstance(flow.raw.get("survey"), dict)


def question_steps(flow: Flow) -> Iterator[Step]:
    for step in flow.steps.values():
        if step.kind == "ask" and step.save:
            yield step


def fingerprint(flow: Flow) -> str:
    """12 hex digits that change whenever what residents are asked changes.

    Matching words (``words:``) are left out: teaching the bot a synonym does not change the
    question. Thank-you texts and actions are left out too.
    """
    asked = []
    for step in flow.steps.values():
        if step.kind == "ask":
            raw = step.raw
            asked.append(
                {
                    "id": step.id,
                    "ask": raw.get("ask"),
                    "save": raw.get("save"),
                    "text": raw.get("text"),
                    "min": raw.get("min"),
                    "max": raw.get("max"),
                    "skippable": raw.get("skippable", False),
                    "choices": [
                        {k: v for k, v in choice.items() if k != "words"}
                        for choice in raw.get("choices") or []
                    ],
                    "next": raw.get("next"),
                }
            )
        elif step.kind == "branch":
            asked.append({"id": step.id, "branch": step.raw.get("branch")})
    canonical = json.dumps(asked, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def _score(raw: Mapping[str, Any]) -> Score:
    return Score(
        key=str(raw.get("key", "")),
        kind=str(raw.get("kind", "")),
        items=tuple(str(item) for item in raw.get("items") or ()),
        positive=tuple(raw.get("positive") or ()),
        points={str(k): int(v) for k, v in (raw.get("points") or {}).items()},
        positive_at=raw.get("positive_at"),
        offer=raw.get("offer"),
        flag=raw.get("flag"),
        crisis_lines=bool(raw.get("crisis_lines", False)),
    )


def _top_code(step: Step) -> int | None:
    """A question's ``top_code``: false for none, a whole number, or the default."""
    value = step.raw.get("top_code", DEFAULT_TOP_CODE)
    if value is False:
        return None
    valid = isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return value if valid else DEFAULT_TOP_CODE  # a bad value is reported by flows check


def definition(flow: Flow) -> SurveyDefinition:
    block = flow.raw["survey"]
    questions = tuple(
        Question(
            key=step.answer_key,
            step_id=step.id,
            type=step.ask or "",
            text=step.text or {},
            choices=tuple(c.value for c in step.choices),
            top_code=_top_code(step),
        )
        for step in question_steps(flow)
    )
    version = block.get("version")
    return SurveyDefinition(
        key=flow.id,
        title=flow.title or {},
        version=version if isinstance(version, int) else 0,
        fingerprint=fingerprint(flow),
        declared_fingerprint=str(block["fingerprint"]) if block.get("fingerprint") else None,
        questions=questions,
        scores=tuple(_score(raw) for raw in block.get("scores") or () if isinstance(raw, dict)),
        triggers=flow.triggers,
        source=str(block.get("source") or ""),
        tag=str(block["tag"]) if block.get("tag") else None,
    )


def surveys_in(flow_set: FlowSet) -> dict[str, SurveyDefinition]:
    return {flow.id: definition(flow) for flow in flow_set if is_survey(flow)}


@lru_cache(maxsize=8)
def load_surveys(flows_dir: Path) -> dict[str, SurveyDefinition]:
    """Every survey under ``flows_dir``, read once per process."""
    return surveys_in(load_flows(flows_dir))


# ---- validation (run by ``vecino flows check`` and at start-up) ----------------------------


def validate_surveys(flow_set: FlowSet) -> list[FlowFault]:
    faults: list[FlowFault] = []
    for flow in flow_set:
        if is_survey(flow):
            name = flow.path.name if flow.path else flow.id
            faults.extend(FlowFault(name, step, reason) for step, reason in _problems(flow))
    faults.extend(_picker_problems(flow_set))
    return faults


def _picker_problems(flow_set: FlowSet) -> Iterator[FlowFault]:
    """The picker offers each survey by number: one choice per survey, leading to it."""
    if PICKER_FLOW not in flow_set:
        return
    picker = flow_set[PICKER_FLOW]
    name = picker.path.name if picker.path else picker.id
    questions = [s for s in picker.steps.values() if s.kind == "ask" and s.ask == "choice"]
    if len(questions) != 1:
        yield FlowFault(name, None, "the survey picker needs exactly one choice question")
        return
    step = questions[0]
    surveys = {flow.id for flow in flow_set if is_survey(flow)}
    listed = {choice.value for choice in step.choices}
    for missing in sorted(surveys - listed):
        yield FlowFault(name, step.id, f"survey {missing!r} has no choice in the picker")
    for choice in step.choices:
        if choice.value not in surveys:
            yield FlowFault(name, step.id, f"choice {choice.value!r} is not a survey")
        elif choice.next is None or choice.next.flow != choice.value or choice.next.step:
            yield FlowFault(name, step.id, f"choice {choice.value!r} must go to its survey")


def _bilingual(text: Any) -> bool:
    return isinstance(text, dict) and all(str(text.get(lang) or "").strip() for lang in LANGUAGES)


def _problems(flow: Flow) -> Iterator[tuple[str | None, str]]:
    block = flow.raw["survey"]
    if not KEY_PATTERN.match(flow.id):
        yield None, "a survey id must be lower_case letters, digits and _ (it names the export)"
    if not _bilingual(flow.title):
        yield None, "a survey needs a title in en and es"
    if not flow.triggers:
        yield None, "a survey needs trigger words in en and es (how residents start it)"
    if not str(block.get("source") or "").strip():
        yield None, "survey.source must say where the questions come from"
    if flow.on_event != RECORD_ACTION:
        yield None, f"a survey needs 'on_event: {RECORD_ACTION}' so answers are saved"
    if not flow.allow_back:
        yield None, "a survey needs 'allow_back: true' (BACK / ATRÁS changes the last answer)"
    if flow.on_expire is None:
        yield None, "a survey needs 'on_expire' (offer to continue after a pause)"
    if not flow.hold:
        yield None, "a survey needs 'hold: true' (a lone word is an answer, not another flow)"
    actions = {step.action for step in flow.steps.values() if step.kind == "action"}
    for action in REQUIRED_ACTIONS:
        if action not in actions:
            yield None, f"a survey needs a step with 'action: {action}'"
    version = block.get("version")
    if not isinstance(version, int) or version < 1:
        yield None, "survey.version must be a whole number, 1 or more"
    tag = block.get("tag")
    if tag is not None and (not isinstance(tag, str) or not TAG_PATTERN.match(tag)):
        yield None, "survey.tag must be a tag as stored: lowercase a-z, 0-9 and hyphens"
    current = fingerprint(flow)
    declared = str(block.get("fingerprint") or "")
    if not declared:
        yield None, f"survey.fingerprint is missing: set it to {current}"
    elif declared != current:
        yield (
            None,
            f"the questions changed since version {version} was recorded: raise survey.version "
            f"and set survey.fingerprint: {current}",
        )

    keys: dict[str, str] = {}
    for step in question_steps(flow):
        key = step.answer_key
        if not KEY_PATTERN.match(key):
            yield step.id, f"question key {key!r} must be lower_case letters, digits and _"
        if key in keys:
            yield step.id, f"question key {key!r} is also used by step {keys[key]!r}"
        keys[key] = step.id
        if step.ask not in QUESTION_TYPES:
            yield step.id, f"a survey question cannot be of type {step.ask!r}"
        if not step.skippable:
            yield step.id, "survey questions must be skippable (residents are told they can skip)"
        if "top_code" in step.raw:
            value = step.raw["top_code"]
            if step.ask != "number":
                yield step.id, "top_code is for number questions only"
            elif value is not False and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                yield step.id, "top_code must be false (as answered) or a whole number, 1 or more"
    yield from _score_problems(block.get("scores") or [], flow, keys)


def _score_problems(
    raw_scores: Sequence[Any], flow: Flow, keys: Mapping[str, str]
) -> Iterator[tuple[str | None, str]]:
    seen: set[str] = set()
    for raw in raw_scores:
        if not isinstance(raw, dict):
            yield None, "each score must be a mapping"
            continue
        try:
            score = _score(raw)
        except (TypeError, ValueError, AttributeError):
            yield None, f"score {raw.get('key')!r}: items must be a list and points whole numbers"
            continue
        where = f"score {score.key!r}"
        if not KEY_PATTERN.match(score.key):
            yield None, f"{where}: key must be lower_case letters, digits and _"
        if set(score.columns()) & (set(keys) | seen):
            yield None, f"{where}: its column clashes with a question or another score"
        seen.update(score.columns())
        if score.kind not in SCORE_KINDS:
            yield None, f"{where}: kind must be one of {sorted(SCORE_KINDS)}"
        if not score.items:
            yield None, f"{where}: needs items"
        for item in score.items:
            if item not in keys:
                yield None, f"{where}: item {item!r} is not a question key"
            elif score.kind == "sum":
                step = flow.steps[keys[item]]
                missing = [c.value for c in step.choices if c.value not in score.points]
                if missing:
                    yield None, f"{where}: no points for {item}'s choices {missing}"
        if score.kind == "any" and not score.positive:
            yield None, f"{where}: 'any' needs the answers that count as positive"
        if score.kind == "sum" and not isinstance(score.positive_at, int):
            yield None, f"{where}: 'sum' needs positive_at"
        if score.offer is not None and not _bilingual(score.offer):
            yield None, f"{where}: offer needs en and es"
        if score.flag is not None and not KEY_PATTERN.match(str(score.flag)):
            yield None, f"{where}: flag must be a short lower_case reason"
