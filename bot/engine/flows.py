"""Flows are YAML data in ``flows/``: loading, the step model and validation.

A flow has an ``id``, a ``start`` step and ``steps`` keyed by stable ids. Each step does one
thing: ``say`` a text, ``ask`` a question, ``branch`` on earlier answers, call an ``action``
that the application registers, or just ``next`` to jump (possibly into another flow). Every
text a resident sees is given in ``en`` and ``es`` side by side.

Questions (``ask``) are ``choice``, ``multi`` (several choices in one reply), ``yesno``,
``number``, ``scale`` (whole numbers from ``min`` to ``max``), ``text``, ``zip``, ``date`` and
``location``; ``skippable: true`` lets SKIP / SALTAR answer them. A ``number`` question with
``household: true`` counts people ("yo y mis 3 hijos" is 4); a ``yesno`` question may list its
own ``yes_words`` / ``no_words`` per language (a hedge like "a veces" that means yes there).
Every word a resident sees or types is text: ``flows check`` refuses an unquoted ``no`` that
YAML reads as a boolean. A flow may set ``allow_back`` (BACK / ATRÁS re-asks the previous
question), ``hold`` (a lone word is an answer attempt, never another flow's trigger),
``on_event`` (an action told of every answer, skip, BACK and crisis inside the flow) and
``on_expire`` (where a timed-out resident resumes).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .text import fold
from .types import LANGUAGES

END = "end"
ASK_TYPES = {"choice", "multi", "yesno", "number", "scale", "text", "zip", "date", "location"}
CHOICE_TYPES = {"choice", "multi"}  # questions whose answers come from a list of choices
STEP_KINDS = ("say", "ask", "branch", "action")
CONDITION_OPERATORS = {"equals", "in", "not_in", "gte", "lte", "present", "absent"}

Text = Mapping[str, str]


@dataclass(frozen=True)
class Target:
    """Where to go next: a step in this flow, the start (or a step) of another flow, or end."""

    step: str | None = None
    flow: str | None = None

    @property
    def is_end(self) -> bool:
        return self.step is None and self.flow is None

    @classmethod
    def parse(cls, raw: Any) -> Target:
        if raw is None or raw == END:
            return cls()
        if isinstance(raw, str):
            return cls(step=raw)
        if isinstance(raw, dict) and "flow" in raw:
            return cls(step=raw.get("step"), flow=str(raw["flow"]))
        raise FlowError(f"cannot read target {raw!r}: use a step id, 'end' or {{flow: ID}}")


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text
    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    show_if: str | None = None
    next: Target | None = None
    exclusive: bool = False  # in a multiple-choice question: cannot be picked with others ("none")

    @functools.cached_property
    def names(self) -> frozenset[str]:
        """Every folded name a reply may give this choice by: its value, labels and words.

        Built once per loaded flow: the engine asks on every reply to a question, holding the
        write lock, and folding the labels afresh was a tenth of its time.
        """
        names = {fold(self.value), *(fold(label) for label in self.label.values())}
        for words in self.words.values():
            names.update(words)
        return frozenset(names)


@dataclass(frozen=True)
class Condition:
    answer: str
    operator: str
    operand: Any = None

    def holds(self, answers: Mapping[str, Any]) -> bool:
        value = answers.get(self.answer)
        match self.operator:
            case "present":
                return value is not None
            case "absent":
                return value is None
            case "equals":
                return value == self.operand
            case "in":
                return value in self.operand
            case "not_in":
                return value not in self.operand
            case "gte":
                return isinstance(value, int | float) and value >= self.operand
            case "lte":
                return isinstance(value, int | float) and value <= self.operand
        raise FlowError(f"unknown operator {self.operator}")


@dataclass(frozen=True)
class Branch:
    condition: Condition | None  # None: the fallback
    next: Target


@dataclass(frozen=True)
class Step:
    id: str
    kind: str  # say, ask, branch, action, jump
    text: Text | None = None
    ask: str | None = None
    choices: tuple[Choice, ...] = ()
    save: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    branches: tuple[Branch, ...] = ()
    action: str | None = None
    args: Mapping[str, Any] = field(default_factory=dict)
    outcomes: Mapping[str, Target] = field(default_factory=dict)
    next: Target = field(default_factory=Target)
    bilingual: bool = False
    skippable: bool = False  # SKIP / SALTAR is an answer here (stored as None)
    household: bool = False  # a number question that counts people ("mi esposo y yo": 2)
    yes_words: tuple[str, ...] = ()  # folded, both languages: this question's own yes words
    no_words: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def answer_key(self) -> str:
        return self.save or self.id

    def targets(self) -> Iterator[Target]:
        yield self.next
        for choice in self.choices:
            if choice.next is not None:
                yield choice.next
        for branch in self.branches:
            yield branch.next
        yield from self.outcomes.values()


@dataclass(frozen=True)
class Flow:
    id: str
    start: str
    steps: Mapping[str, Step]
    path: Path | None = None
    triggers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    title: Text | None = None
    # BACK / ATRÁS re-asks the previous question (the engine keeps the questions answered).
    allow_back: bool = False
    # An action called whenever something happens to a resident inside this flow: an answer,
    # a skip, a BACK, a crisis message. Domain modules use it to keep their own records.
    on_event: str | None = None
    # Where a resident whose conversation timed out inside this flow picks up again (instead of
    # the generic "welcome back" and the menu).
    on_expire: Target | None = None
    # While a question of this flow waits, a lone word is an answer attempt, never another
    # flow's trigger ("más" is not MORE inside a survey); "comida 90011" or "encuesta comida"
    # still start their flows. MENU, STOP and the other keywords always work.
    hold: bool = False
    # Trigger words start this flow only as the whole message: WHEN alone asks about our
    # event, "when does the pantry open" does not.
    trigger_alone: bool = False
    # A location shared while no question asks for one starts this flow, with the location
    # saved as the answer under this key (on Telegram, a pin dropped out of the blue).
    location_answer: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


class FlowError(ValueError):
    """A flow file that cannot be read at all."""


@dataclass(frozen=True)
class FlowFault:
    file: str
    step: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}: step {self.step!r}" if self.step else self.file
        return f"{where}: {self.reason}"


def _words(raw: Any) -> dict[str, tuple[str, ...]]:
    if not raw:
        return {}
    if not isinstance(raw, dict):
        raise FlowError("words/triggers must map a language to a list of words")
    return {lang: tuple(fold(str(w)) for w in (ws or [])) for lang, ws in raw.items()}


def _all_words(raw: Any) -> tuple[str, ...]:
    return tuple(word for words in _words(raw).values() for word in words)


def _condition(raw: dict[str, Any]) -> Condition:
    if "answer" not in raw:
        raise FlowError(f"condition {raw!r} needs 'answer'")
    operators = [key for key in raw if key != "answer"]
    if len(operators) != 1 or operators[0] not in CONDITION_OPERATORS:
        raise FlowError(f"condition {raw!r} needs exactly one of {sorted(CONDITION_OPERATORS)}")
    operator = operators[0]
    return Condition(str(raw["answer"]), operator, raw[operator])


def parse_step(step_id: str, raw: Any) -> Step:
    if not isinstance(raw, dict):
        raise FlowError("a step must be a mapping")
    kinds = [kind for kind in STEP_KINDS if kind in raw]
    if len(kinds) > 1:
        raise FlowError(f"a step does one thing; this one has {', '.join(kinds)}")
    kind = kinds[0] if kinds else "jump"
    if kind == "jump" and "next" not in raw:
        raise FlowError(f"a step needs one of {', '.join(STEP_KINDS)} or a 'next'")
    common: dict[str, Any] = {
        "id": step_id,
        "kind": kind,
        "next": Target.parse(raw.get("next")),
        "raw": raw,
        "bilingual": bool(raw.get("bilingual", False)),
    }
    if kind == "say":
        return Step(text=raw["say"], **common)
    if kind == "ask":
        choices = tuple(
            Choice(
                value=str(c["value"]),
                label=c.get("label") or {},
                words=_words(c.get("words")),
                show_if=c.get("show_if"),
                next=Target.parse(c["next"]) if "next" in c else None,
                exclusive=bool(c.get("exclusive", False)),
            )
            for c in raw.get("choices") or []
        )
        return Step(
            text=raw.get("text"),
            ask=str(raw["ask"]),
            choices=choices,
            save=raw.get("save"),
            minimum=raw.get("min"),
            maximum=raw.get("max"),
            skippable=bool(raw.get("skippable", False)),
            household=bool(raw.get("household", False)),
            yes_words=_all_words(raw.get("yes_words")),
            no_words=_all_words(raw.get("no_words")),
            **common,
        )
    if kind == "branch":
        branches = tuple(
            Branch(
                condition=_condition(b["when"]) if "when" in b else None,
                next=Target.parse(b.get("next")),
            )
            for b in raw["branch"] or []
        )
        return Step(branches=branches, **common)
    if kind == "action":
        outcomes = {str(k): Target.parse(v) for k, v in (raw.get("outcomes") or {}).items()}
        return Step(
            action=str(raw["action"]), args=raw.get("args") or {}, outcomes=outcomes, **common
        )
    return Step(**common)


def parse_flow(raw: Any, path: Path | None = None) -> Flow:
    if not isinstance(raw, dict):
        raise FlowError("a flow file must be a mapping with id, start and steps")
    missing = [key for key in ("start", "steps") if key not in raw]
    if missing:
        raise FlowError(f"missing {', '.join(missing)}")
    if not isinstance(raw["steps"], dict) or not raw["steps"]:
        raise FlowError("'steps' must map step ids to steps")
    steps = {}
    for step_id, step_raw in raw["steps"].items():
        try:
            steps[str(step_id)] = parse_step(str(step_id), step_raw)
        except (FlowError, KeyError, TypeError) as error:
            raise FlowError(f"step {step_id!r}: {error}") from error
    flow_id = str(raw.get("id") or (path.stem if path else ""))
    on_expire = Target.parse(raw["on_expire"]) if raw.get("on_expire") else None
    if on_expire is not None and on_expire.flow is None:
        on_expire = Target(step=on_expire.step, flow=flow_id)
    return Flow(
        id=flow_id,
        start=str(raw["start"]),
        steps=steps,
        path=path,
        triggers=_words(raw.get("triggers")),
        title=raw.get("title"),
        allow_back=bool(raw.get("allow_back", False)),
        hold=bool(raw.get("hold", False)),
        trigger_alone=bool(raw.get("trigger_alone", False)),
        on_event=str(raw["on_event"]) if raw.get("on_event") else None,
        on_expire=on_expire,
        location_answer=str(raw["location_answer"]) if raw.get("location_answer") else None,
        raw=raw,
    )


@dataclass
class FlowSet:
    """Every flow the bot knows, by id, with the faults found while loading them."""

    flows: dict[str, Flow] = field(default_factory=dict)
    faults: list[FlowFault] = field(default_factory=list)

    def __getitem__(self, flow_id: str) -> Flow:
        return self.flows[flow_id]

    def __contains__(self, flow_id: object) -> bool:
        return flow_id in self.flows

    def __iter__(self) -> Iterator[Flow]:
        return iter(self.flows.values())


# libyaml's parser when PyYAML was built with it (the wheels are): the same safe loading,
# about ten times faster, and flows are read at every start and by every test app.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_flows(directory: Path) -> FlowSet:
    """Read every ``*.yaml`` under ``directory`` (recursively). Unreadable files become faults."""
    flow_set = FlowSet()
    for path in sorted(directory.rglob("*.yaml")):
        name = str(path.relative_to(directory))
        try:
            with path.open(encoding="utf-8") as handle:
                flow = parse_flow(yaml.load(handle, Loader=_YAML_LOADER), path)
        except (yaml.YAMLError, FlowError, KeyError, TypeError) as error:
            flow_set.faults.append(FlowFault(name, None, str(error)))
            continue
        if flow.id in flow_set.flows:
            flow_set.faults.append(FlowFault(name, None, f"duplicate flow id {flow.id!r}"))
            continue
        flow_set.flows[flow.id] = flow
    return flow_set


def _missing_languages(text: Any) -> list[str]:
    if not isinstance(text, dict):
        return list(LANGUAGES)
    return [lang for lang in LANGUAGES if not str(text.get(lang) or "").strip()]


FlowValidator = Callable[[FlowSet], Iterable[FlowFault]]


def validate(
    flow_set: FlowSet,
    *,
    actions: Iterable[str] = (),
    predicates: Iterable[str] = (),
    required_flows: Iterable[str] = (),
    validators: Iterable[FlowValidator] = (),
) -> list[FlowFault]:
    """Every fault in the loaded flows: schema, translations, targets, reachability, and what
    domain modules check in the flows they own (``validators``)."""
    faults = list(flow_set.faults)
    known_actions, known_predicates = set(actions), set(predicates)
    for required in required_flows:
        if required not in flow_set:
            faults.append(FlowFault("flows/", None, f"required flow {required!r} is missing"))
    takes_locations = sorted(flow.id for flow in flow_set if flow.location_answer)
    if len(takes_locations) > 1:
        faults.append(
            FlowFault("flows/", None, f"only one flow may set location_answer: {takes_locations}")
        )
    for flow in flow_set:
        faults.extend(_validate_flow(flow, flow_set, known_actions, known_predicates))
    for validator in validators:
        faults.extend(validator(flow_set))
    return faults


def _validate_flow(
    flow: Flow, flow_set: FlowSet, actions: set[str], predicates: set[str]
) -> Iterator[FlowFault]:
    name = flow.path.name if flow.path else flow.id

    def fault(step: str | None, reason: str) -> FlowFault:
        return FlowFault(name, step, reason)

    if flow.start not in flow.steps:
        yield fault(None, f"start step {flow.start!r} does not exist")
    for language in flow.triggers:
        if language not in LANGUAGES:
            yield fault(None, f"trigger language {language!r} is not one of {LANGUAGES}")
    if flow.triggers and _missing_languages({k: " ".join(v) for k, v in flow.triggers.items()}):
        yield fault(None, "triggers must list words in both en and es")
    if flow.on_event is not None and flow.on_event not in actions:
        yield fault(None, f"unknown on_event action {flow.on_event!r}")
    if flow.on_expire is not None:
        problem = _target_problem(flow, flow.on_expire, flow_set)
        if problem:
            yield fault(None, f"on_expire {problem}")

    for step_id, reason in _not_text(flow):
        yield fault(step_id, reason)
    for step in flow.steps.values():
        if step.kind == "say" or (step.kind == "ask" and step.ask not in CHOICE_TYPES) or step.text:
            for language in _missing_languages(step.text):
                yield fault(step.id, f"text has no {language!r} translation")
        if step.kind == "ask":
            if step.ask not in ASK_TYPES:
                yield fault(step.id, f"unknown question type {step.ask!r}")
            if step.ask in CHOICE_TYPES:
                if not step.text:
                    yield fault(step.id, "a question needs text")
                if not step.choices:
                    yield fault(step.id, "a choice question needs choices")
                values = [c.value for c in step.choices]
                if len(values) != len(set(values)):
                    yield fault(step.id, "choice values must be unique")
                for choice in step.choices:
                    for language in _missing_languages(choice.label):
                        yield fault(step.id, f"choice {choice.value!r} has no {language!r} label")
                    if choice.show_if and choice.show_if not in predicates:
                        yield fault(step.id, f"unknown show_if {choice.show_if!r}")
            low, high = step.minimum, step.maximum
            if step.ask == "scale" and not (isinstance(low, int) and isinstance(high, int)):
                yield fault(step.id, "a scale needs whole-number min and max")
            elif step.ask == "date":
                yield from (fault(step.id, p) for p in _date_bound_problems(low, high))
            elif low is not None and high is not None and low > high:
                yield fault(step.id, "min is greater than max")
        if step.kind == "action" and step.action not in actions:
            yield fault(step.id, f"unknown action {step.action!r}")
        if step.kind == "branch":
            if not step.branches:
                yield fault(step.id, "a branch needs at least one case")
            if all(b.condition is not None for b in step.branches):
                yield fault(step.id, "a branch needs a fallback case (one without 'when')")
        for target in step.targets():
            problem = _target_problem(flow, target, flow_set)
            if problem:
                yield fault(step.id, problem)

    entries = {
        target.step
        for other in flow_set
        for step in other.steps.values()
        for target in step.targets()
        if target.flow == flow.id and target.step is not None
    }
    if flow.on_expire is not None and flow.on_expire.step is not None:
        entries.add(flow.on_expire.step)
    for unreachable in sorted(set(flow.steps) - reachable_steps(flow, entries)):
        yield fault(unreachable, "unreachable: no step leads here from the start")


def _not_text(flow: Flow) -> Iterator[tuple[str | None, str]]:
    """Words and texts that YAML did not read as text. Unquoted ``no``, ``yes``, ``on``,
    ``off``, ``true`` and ``false`` are booleans in YAML, so a choice word ``no`` would be
    matched as "false" and never as "no"."""
    yield from ((None, reason) for reason in _words_not_text("triggers", flow.raw.get("triggers")))
    for step_id, raw in (flow.raw.get("steps") or {}).items():
        if not isinstance(raw, dict):
            continue
        places = [("text", raw.get("text")), ("say", raw.get("say"))]
        places += [(key, raw.get(key)) for key in ("yes_words", "no_words")]
        for number, choice in enumerate(raw.get("choices") or [], 1):
            if isinstance(choice, dict):
                places.append((f"choice {number} value", {"": choice.get("value")}))
                places += [(f"choice {number} {k}", choice.get(k)) for k in ("label", "words")]
        for where, value in places:
            for reason in _words_not_text(where, value):
                yield str(step_id), reason


def _words_not_text(where: str, value: Any) -> Iterator[str]:
    if value is None:
        return
    items = value.items() if isinstance(value, dict) else [("", value)]
    for language, words in items:
        for word in words if isinstance(words, list) else [words]:
            number = isinstance(word, int) and not isinstance(word, bool)
            if isinstance(word, str) or (where.endswith("value") and number):
                continue
            place = f"{where} ({language})" if language else where
            if isinstance(word, bool):
                yield (
                    f"{place}: YAML read an unquoted word as the boolean {word!r} (no, yes, on, "
                    "off, true and false are booleans in YAML); put the word in quotes, "
                    "like 'no'"
                )
            else:
                yield f"{place}: {word!r} is not text; put it in quotes"


def _date_bound_problems(low: Any, high: Any) -> Iterator[str]:
    bounds = []
    for name, bound in (("min", low), ("max", high)):
        if bound is None:
            continue
        if isinstance(bound, date):  # YAML reads 2020-01-01 as a date already
            bounds.append(bound)
            continue
        try:
            bounds.append(date.fromisoformat(str(bound)))
        except ValueError:
            yield f"date {name} {bound!r} is not a date like 2020-01-31"
    if len(bounds) == 2 and bounds[0] > bounds[1]:
        yield "min is greater than max"


def _target_problem(flow: Flow, target: Target, flow_set: FlowSet) -> str | None:
    if target.is_end:
        return None
    if target.flow is not None:
        if target.flow not in flow_set:
            return f"goes to flow {target.flow!r}, which does not exist"
        other = flow_set[target.flow]
        if target.step is not None and target.step not in other.steps:
            return f"goes to step {target.step!r} of flow {target.flow!r}, which does not exist"
        return None
    if target.step not in flow.steps:
        return f"goes to step {target.step!r}, which does not exist"
    return None


def reachable_steps(flow: Flow, entries: Iterable[str] = ()) -> set[str]:
    """Steps reachable from the start, or from steps other flows jump into."""
    seen: set[str] = set()
    pending = [flow.start, *entries]
    while pending:
        step_id = pending.pop()
        if step_id in seen or step_id not in flow.steps:
            continue
        seen.add(step_id)
        for target in flow.steps[step_id].targets():
            if target.flow is None and target.step is not None:
                pending.append(target.step)
    return seen
