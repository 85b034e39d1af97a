"""The conversation engine: one inbound message in, the new state and replies out.

``Engine.handle`` does no I/O of its own. Global keywords are looked at first, so a flow that is
waiting for an answer can never swallow STOP, HELP, MENU, a language switch or a crisis; then the
waiting question gets its answer (or BACK / SKIP where the flow allows them); then flow trigger
words; then the menu. A flow's ``on_event`` action hears of each answer, skip, BACK and crisis,
which is how domain modules (surveys) keep their own records without the engine knowing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from difflib import get_close_matches
from typing import Any

from . import messages as m
from .actions import (
    ActionContext,
    ActionResult,
    Capabilities,
    FlowEvent,
    Translator,
    builtin_capabilities,
    pick_language,
)
from .answers import is_back, is_skip, parse_answer
from .flows import CHOICE_TYPES, Flow, FlowSet, Step, Target, validate
from .keywords import KeywordMatch, match_keyword
from .text import fold
from .types import (
    HISTORY_KEY,
    PREFILL_KEY,
    SHOWN_KEY,
    TRIGGER_KEY,
    Conversation,
    Event,
    Inbound,
    Option,
    Outbound,
    Turn,
)

MAIN_FLOW = "main_menu"
WELCOME_FLOW = "welcome"
FUZZY_TRIGGER_MIN_LENGTH = 5
FUZZY_TRIGGER_CUTOFF = 0.8
MAX_HOPS = 50  # a flow that loops without asking anything is a bug, not a conversation
# A resident who wrote this recently, and is in the middle of a flow, is not interrupted by a
# flow Vecino starts (a follow-up must never land in the middle of a survey).
BUSY_WINDOW = timedelta(minutes=15)


class InvalidFlows(RuntimeError):
    def __init__(self, faults: list) -> None:
        super().__init__("invalid flows:\n" + "\n".join(f"  {fault}" for fault in faults))
        self.faults = faults


@dataclass
class EngineSettings:
    program_name: str = "Vecino"
    session_timeout: timedelta = timedelta(minutes=60)
    invalid_answers_before_menu_offer: int = 3


@dataclass
class _Scratch:
    """What one turn accumulates before it becomes a ``Turn``."""

    conversation: Conversation
    messages: list[Outbound] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


class Engine:
    def __init__(
        self,
        flows: FlowSet,
        translator: Translator,
        capabilities: Capabilities | None = None,
        settings: EngineSettings | None = None,
    ) -> None:
        self.flows = flows
        self.translator = translator
        self.capabilities = builtin_capabilities()
        if capabilities is not None:
            self.capabilities.actions.update(capabilities.actions)
            self.capabilities.predicates.update(capabilities.predicates)
            self.capabilities.validators.extend(capabilities.validators)
        self.settings = settings or EngineSettings()
        faults = self.check()
        if faults:
            raise InvalidFlows(faults)
        self._triggers = [
            (word, language, flow.id)
            for flow in flows
            for language, words in flow.triggers.items()
            for word in words
        ]
        # Longest first, so "mental health" wins over "health".
        self._triggers.sort(key=lambda item: -len(item[0]))
        self._fuzzy_triggers = {
            word: (language, flow_id)
            for word, language, flow_id in reversed(self._triggers)
            if " " not in word and len(word) >= FUZZY_TRIGGER_MIN_LENGTH
        }

    def check(self) -> list:
        return validate(
            self.flows,
            actions=self.capabilities.actions,
            predicates=self.capabilities.predicates,
            required_flows=(MAIN_FLOW, WELCOME_FLOW),
            validators=self.capabilities.validators,
        )

    def preview(self, flow_id: str, step_id: str, language: str | None) -> Outbound | None:
        """A step's message as a resident would see it, all choices shown (for flow checks)."""
        step = self.flows[flow_id].steps[step_id]
        conversation = Conversation(language=language, flow_id=flow_id, step_id=step_id)
        if step.kind == "ask":
            return self._question(conversation, step)
        if step.kind == "say":
            return Outbound(self._text(step, language))
        return None

    # ---- entry point -------------------------------------------------------------------

    def handle(
        self, conversation: Conversation, inbound: Inbound, now: datetime, deps: Any = None
    ) -> Turn:
        scratch = _Scratch(conversation)
        keyword = match_keyword(inbound.text) if inbound.choice is None else None
        if conversation.opted_out:
            self._while_opted_out(scratch, keyword, inbound, now, deps)
        elif keyword is not None:
            self._keyword(scratch, keyword, inbound, now, deps)
        else:
            self._converse(scratch, inbound, now, deps)
        final = replace(scratch.conversation, updated_at=now)
        return Turn(final, scratch.messages, scratch.events)

    # ---- entry points for what Vecino starts -------------------------------------------

    def start(
        self,
        conversation: Conversation,
        flow_id: str,
        now: datetime,
        deps: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Turn:
        """Begin ``flow_id`` for a contact who did not write (an invitation, a follow-up).

        ``params`` become the flow's starting data, for its actions to read. Nothing is said
        to an opted-out contact, and a contact busy in another flow (``is_busy``) is left
        alone: the turn then carries a ``busy`` event and the unchanged conversation, and the
        caller tries again later.
        """
        if conversation.opted_out:
            return Turn(conversation, [], [Event("suppressed", {"reason": "opted_out"})])
        if self.is_busy(conversation, now):
            return Turn(conversation, [], [Event("busy")])
        scratch = _Scratch(replace(conversation.at(None, None), data=dict(params or {})))
        self._go(scratch, Target(flow=flow_id), Inbound(), now, deps, from_flow=None)
        return Turn(replace(scratch.conversation, updated_at=now), scratch.messages, scratch.events)

    def resume(self, conversation: Conversation, now: datetime, deps: Any = None) -> Turn:
        """A wait ran out (a scheduled wake-up): continue where the flow picks up a resident
        who went quiet (its ``on_expire``, as a survey offers to continue), else end it."""
        if conversation.opted_out:
            return Turn(conversation, [], [Event("suppressed", {"reason": "opted_out"})])
        if not conversation.waiting:
            return Turn(conversation, [], [])
        if self.is_busy(conversation, now):
            return Turn(conversation, [], [Event("busy")])
        flow = self.flows.flows.get(conversation.flow_id or "")
        scratch = _Scratch(replace(conversation.at(None, None), data={}))
        scratch.events.append(Event("expired"))
        if flow is not None and flow.on_expire is not None:
            self._go(scratch, flow.on_expire, Inbound(), now, deps, from_flow=None)
        return Turn(replace(scratch.conversation, updated_at=now), scratch.messages, scratch.events)

    def is_busy(self, conversation: Conversation, now: datetime) -> bool:
        """In the middle of a multi-step flow and wrote within ``BUSY_WINDOW``.

        The menu and the language question are not "busy", and neither is a finished flow
        (search results shown): there is nothing to interrupt.
        """
        if not conversation.waiting or conversation.flow_id in (MAIN_FLOW, WELCOME_FLOW):
            return False
        updated = conversation.updated_at
        return updated is not None and now - updated < BUSY_WINDOW

    # ---- keywords ----------------------------------------------------------------------

    def _while_opted_out(
        self, s: _Scratch, keyword: KeywordMatch | None, inbound: Inbound, now: datetime, deps: Any
    ) -> None:
        # Silence, except what the resident explicitly asks for: coming back, the HELP answer
        # carriers require, and crisis lines (safety outranks the opt-out).
        if keyword is None:
            return
        language = s.conversation.language or keyword.language
        if keyword.kind == "opt_in":
            s.conversation = replace(s.conversation, opted_out=False)
            s.events.append(Event("opted_in"))
            self._say(s, m.OPTED_IN, language, program=self.settings.program_name)
            self._restart(s, inbound, now, deps)
        elif keyword.kind == "help":
            self._say(s, m.HELP_OPTED_OUT, language, program=self.settings.program_name)
        elif keyword.kind == "crisis":
            s.events.append(Event("crisis"))
            self._say(s, m.CRISIS, language)

    def _keyword(
        self, s: _Scratch, keyword: KeywordMatch, inbound: Inbound, now: datetime, deps: Any
    ) -> None:
        language = s.conversation.language or keyword.language
        program = self.settings.program_name
        match keyword.kind:
            case "crisis":
                s.events.append(Event("crisis"))
                # Someone who picked English but writes "me quiero morir" gets both languages.
                mismatch = keyword.language not in (None, s.conversation.language)
                self._say(s, m.CRISIS, None if mismatch else language)
                step = self._current_step(s.conversation)
                if step is not None:  # let the flow note it (a survey flags the response)
                    self._notify(s, step, FlowEvent("crisis"), inbound, now, deps)
            case "opt_out":
                s.events.append(Event("opted_out"))
                self._say(s, m.OPTED_OUT, language, program=program)
                s.conversation = replace(s.conversation.at(None, None), opted_out=True, data={})
            case "opt_in":
                self._say(s, m.ALREADY_SUBSCRIBED, language)
            case "help":
                self._say(s, m.HELP, language, program=program)
            case "menu":
                self._restart(s, inbound, now, deps)
            case "language":
                self._switch_language(s, keyword.value or "es", inbound, now, deps)

    def _switch_language(
        self, s: _Scratch, language: str, inbound: Inbound, now: datetime, deps: Any
    ) -> None:
        s.conversation = replace(s.conversation, language=language)
        s.events.append(Event("language_set", {"language": language}))
        self._say(s, m.LANGUAGE_SET, language)
        step = self._current_step(s.conversation)
        if step is None or s.conversation.flow_id == WELCOME_FLOW:
            self._start(s, MAIN_FLOW, inbound, now, deps)
        else:
            # Same question, now in the language they asked for.
            s.messages.append(self._question(s.conversation, step))

    # ---- conversation ------------------------------------------------------------------

    def _converse(self, s: _Scratch, inbound: Inbound, now: datetime, deps: Any) -> None:
        conversation = s.conversation
        if conversation.waiting and self._expired(conversation, now):
            expired_in = self.flows.flows.get(conversation.flow_id or "")
            s.events.append(Event("expired"))
            s.conversation = conversation = conversation.at(None, None)
            s.conversation = replace(conversation, data={})
            if self._try_trigger(s, inbound, now, deps):
                return
            if expired_in is not None and expired_in.on_expire is not None:
                # The flow knows how to pick up (a survey offers to continue); the message
                # that woke us is not taken as an answer to a question asked long ago.
                self._go(s, expired_in.on_expire, inbound, now, deps, from_flow=None)
                return
            self._say(s, m.EXPIRED, conversation.language)
            self._restart(s, inbound, now, deps)
            return

        step = self._current_step(conversation)
        if step is None:
            if not self._try_trigger(s, inbound, now, deps):
                self._restart(s, inbound, now, deps)
            return

        if inbound.media_count and not inbound.text.strip() and inbound.location is None:
            s.messages.append(self._question(conversation, step, prefix=[m.MEDIA_ONLY]))
            return
        if inbound.choice is not None and inbound.choice_step != self._step_ref(conversation):
            s.messages.append(self._question(conversation, step, prefix=[m.STALE_BUTTON]))
            return

        if inbound.choice is None and inbound.location is None:
            if is_back(inbound.text) and self._back(s, step, inbound, now, deps):
                return
            if step.skippable and is_skip(inbound.text):
                self._accept(s, step, None, "skip", inbound, now, deps)
                return
        shown = conversation.data.get(SHOWN_KEY) or [c.value for c in step.choices]
        answer = parse_answer(step, inbound, shown)
        if answer.ok:
            self._accept(s, step, answer.value, "answer", inbound, now, deps)
            return
        if self._try_trigger(s, inbound, now, deps):
            return
        self._reprompt(s, step, answer.problem or "unclear")

    def _accept(
        self,
        s: _Scratch,
        step: Step,
        value: Any,
        kind: str,
        inbound: Inbound,
        now: datetime,
        deps: Any,
    ) -> None:
        """Store an answer (None for a skip), tell the flow's hook, and move on."""
        data = {**s.conversation.data, step.answer_key: value}
        data.pop(SHOWN_KEY, None)
        if self._flow_of(s.conversation).allow_back:
            data[HISTORY_KEY] = [*(data.get(HISTORY_KEY) or []), step.id]
        s.conversation = replace(s.conversation, data=data, invalid_count=0)
        self._notify(s, step, FlowEvent(kind, step.answer_key, value), inbound, now, deps)
        self._go(s, self._after_answer(step, value), inbound, now, deps)

    def _back(self, s: _Scratch, step: Step, inbound: Inbound, now: datetime, deps: Any) -> bool:
        """BACK / ATRÁS: withdraw the last answer and ask that question again.

        Returns False in flows without ``allow_back``, where the word is an ordinary answer.
        """
        flow = self._flow_of(s.conversation)
        if not flow.allow_back:
            return False
        history = list(s.conversation.data.get(HISTORY_KEY) or [])
        while history and history[-1] not in flow.steps:
            history.pop()  # the flow changed under the resident; forget steps that are gone
        if not history:
            s.messages.append(self._question(s.conversation, step, prefix=[m.NO_PREVIOUS]))
            return True
        previous = flow.steps[history.pop()]
        data = {**s.conversation.data, HISTORY_KEY: history}
        data.pop(previous.answer_key, None)
        data.pop(SHOWN_KEY, None)
        s.conversation = replace(s.conversation, data=data, invalid_count=0)
        self._notify(s, previous, FlowEvent("back", previous.answer_key), inbound, now, deps)
        self._go(s, Target(step=previous.id), inbound, now, deps)
        return True

    def _notify(
        self, s: _Scratch, step: Step, event: FlowEvent, inbound: Inbound, now: datetime, deps: Any
    ) -> None:
        """Call the flow's ``on_event`` action, if it has one."""
        flow = self.flows.flows.get(s.conversation.flow_id or "")
        if flow is None or flow.on_event is None:
            return
        action = self.capabilities.actions[flow.on_event]
        context = ActionContext(
            s.conversation, step, inbound, now, deps, self.translator, flow=flow, event=event
        )
        self._apply_result(s, action(context))

    def _reprompt(self, s: _Scratch, step: Step, problem: str) -> None:
        count = s.conversation.invalid_count + 1
        s.conversation = replace(s.conversation, invalid_count=count)
        prefix = [m.EMPTY if problem == "empty" else m.NOT_UNDERSTOOD]
        if step.ask == "date":
            prefix = [m.AMBIGUOUS_DATE] if problem == "ambiguous" else [*prefix, m.NEED_DATE]
        elif problem == "too_many" and step.ask == "choice":
            prefix = [m.JUST_ONE]
        elif problem == "conflict":
            prefix = [m.NOT_TOGETHER]
        elif problem == "out_of_range" and step.minimum is not None and step.maximum is not None:
            prefix = [m.OUT_OF_RANGE]
        elif step.ask == "scale":
            prefix.append(m.OUT_OF_RANGE)
        elif step.ask == "multi":
            prefix.append(m.CHOOSE_SEVERAL)
        elif step.ask == "choice":
            prefix.append(m.CHOOSE_NUMBER)
        elif step.ask == "yesno":
            prefix.append(m.ANSWER_YES_NO)
        elif step.ask == "number":
            prefix.append(m.NEED_NUMBER)
        elif step.ask == "zip":
            prefix.append(m.ONE_ZIP if problem == "too_many" else m.NEED_ZIP)
        elif step.ask == "location":
            prefix.append(m.ONE_ZIP if problem == "too_many" else m.NEED_LOCATION)
        if step.skippable:
            prefix.append(m.SKIP_HINT)
        if count >= self.settings.invalid_answers_before_menu_offer:
            prefix.append(m.OFFER_MENU)
        s.messages.append(self._question(s.conversation, step, prefix=prefix))

    def _after_answer(self, step: Step, value: Any) -> Target:
        for choice in step.choices:
            if choice.value == value and choice.next is not None:
                return choice.next
        return step.next

    def _try_trigger(self, s: _Scratch, inbound: Inbound, now: datetime, deps: Any) -> bool:
        if inbound.location is not None:
            return self._try_location(s, inbound, now, deps)
        folded = fold(inbound.text)
        if not folded:
            return False
        found = self._match_trigger(folded)
        if found is None:
            return False
        language, flow_id = found
        if s.conversation.language is None:
            s.conversation = replace(s.conversation, language=language)
            s.events.append(Event("language_set", {"language": language}))
        s.conversation = replace(s.conversation.at(None, None), data={TRIGGER_KEY: inbound.text})
        self._go(s, Target(flow=flow_id), inbound, now, deps, from_flow=None)
        return True

    def _match_trigger(self, folded: str) -> tuple[str, str] | None:
        """``(language, flow_id)`` of the trigger a message starts with, tolerating a typo in
        a long first word ("comdia 90057", "hosuing") but never in short ones ("food")."""
        for word, language, flow_id in self._triggers:
            if folded == word or folded.startswith(word + " "):
                return language, flow_id
        first = folded.split(" ", 1)[0]
        if len(first) < FUZZY_TRIGGER_MIN_LENGTH:
            return None
        close = get_close_matches(first, self._fuzzy_triggers, n=1, cutoff=FUZZY_TRIGGER_CUTOFF)
        return self._fuzzy_triggers[close[0]] if close else None

    def _try_location(self, s: _Scratch, inbound: Inbound, now: datetime, deps: Any) -> bool:
        flow = next((f for f in self.flows if f.location_answer), None)
        if flow is None or inbound.location is None or s.conversation.language is None:
            return False
        place = {"lat": inbound.location.latitude, "lon": inbound.location.longitude}
        s.conversation = replace(
            s.conversation.at(None, None), data={flow.location_answer or "": place}
        )
        self._go(s, Target(flow=flow.id), inbound, now, deps, from_flow=None)
        return True

    def _restart(self, s: _Scratch, inbound: Inbound, now: datetime, deps: Any) -> None:
        """Back to the top: the welcome for someone without a language, else the menu."""
        flow = WELCOME_FLOW if s.conversation.language is None else MAIN_FLOW
        self._start(s, flow, inbound, now, deps)

    def _start(self, s: _Scratch, flow_id: str, inbound: Inbound, now: datetime, deps: Any) -> None:
        s.conversation = replace(s.conversation.at(None, None), data={})
        self._go(s, Target(flow=flow_id), inbound, now, deps, from_flow=None)

    # ---- running steps -----------------------------------------------------------------

    def _go(
        self,
        s: _Scratch,
        target: Target,
        inbound: Inbound,
        now: datetime,
        deps: Any,
        from_flow: str | object | None = ...,
    ) -> None:
        """Run steps from ``target`` until a question waits for an answer or the flow ends."""
        flow_id = s.conversation.flow_id if from_flow is ... else from_flow
        hops = 0
        while hops < MAX_HOPS:
            hops += 1
            if target.is_end:
                s.conversation = s.conversation.at(None, None)
                return
            flow: Flow = self.flows[target.flow] if target.flow else self.flows[flow_id or ""]
            if flow.id != s.conversation.flow_id and HISTORY_KEY in s.conversation.data:
                # A new flow: BACK must not reach into the flow we came from.
                data = {k: v for k, v in s.conversation.data.items() if k != HISTORY_KEY}
                s.conversation = replace(s.conversation, data=data)
            flow_id = flow.id
            step = flow.steps[target.step or flow.start]
            s.conversation = s.conversation.at(flow.id, step.id)
            match step.kind:
                case "ask":
                    prefilled = self._take_prefilled(s, flow, step)
                    if prefilled is not ...:
                        hops -= 1  # bounded by the number of prefilled answers
                        target = self._after_answer(step, prefilled)
                        continue
                    visible = self._visible_choices(step, deps)
                    data = {**s.conversation.data, SHOWN_KEY: [c.value for c in visible]}
                    data.pop(PREFILL_KEY, None)
                    s.conversation = replace(s.conversation, data=data)
                    s.messages.append(self._question(s.conversation, step))
                    return
                case "say":
                    s.messages.append(Outbound(self._text(step, s.conversation.language)))
                    target = step.next
                case "branch":
                    target = next(
                        b.next
                        for b in step.branches
                        if b.condition is None or b.condition.holds(s.conversation.data)
                    )
                case "action":
                    target = self._act(s, step, inbound, now, deps)
                case _:
                    target = step.next
        raise RuntimeError(f"flow {flow_id!r} ran {MAX_HOPS} steps without asking anything")

    def _take_prefilled(self, s: _Scratch, flow: Flow, step: Step) -> Any:
        """The prefilled answer for ``step`` (consumed and stored), or ``...`` when none."""
        prefill = s.conversation.data.get(PREFILL_KEY)
        if not isinstance(prefill, dict) or step.answer_key not in prefill:
            return ...
        remaining = dict(prefill)
        value = remaining.pop(step.answer_key)
        data = {**s.conversation.data, step.answer_key: value, PREFILL_KEY: remaining}
        if flow.allow_back:
            data[HISTORY_KEY] = [*(data.get(HISTORY_KEY) or []), step.id]
        s.conversation = replace(s.conversation, data=data)
        return value

    def _act(self, s: _Scratch, step: Step, inbound: Inbound, now: datetime, deps: Any) -> Target:
        action = self.capabilities.actions[step.action or ""]
        flow = self.flows.flows.get(s.conversation.flow_id or "")
        context = ActionContext(
            s.conversation, step, inbound, now, deps, self.translator, flow=flow
        )
        result = self._apply_result(s, action(context))
        if result.goto is not None and self._exists(result.goto, flow):
            return result.goto
        if result.outcome is not None and result.outcome in step.outcomes:
            return step.outcomes[result.outcome]
        return step.next

    def _exists(self, target: Target, flow: Flow | None) -> bool:
        if target.is_end:
            return True
        owner = self.flows.flows.get(target.flow) if target.flow else flow
        return owner is not None and (target.step is None or target.step in owner.steps)

    def _apply_result(self, s: _Scratch, result: ActionResult) -> ActionResult:
        conversation = s.conversation
        if result.language and result.language != conversation.language:
            conversation = replace(conversation, language=result.language)
            s.events.append(Event("language_set", {"language": result.language}))
        if result.data:
            conversation = replace(conversation, data={**conversation.data, **result.data})
        s.conversation = conversation
        s.messages.extend(result.messages)
        s.events.extend(result.events)
        return result

    # ---- rendering ---------------------------------------------------------------------

    def _visible_choices(self, step: Step, deps: Any) -> list:
        predicates = self.capabilities.predicates
        return [c for c in step.choices if not c.show_if or predicates[c.show_if](deps)]

    def _question(
        self, conversation: Conversation, step: Step, prefix: list[str] | None = None
    ) -> Outbound:
        language = (
            None
            if step.bilingual and conversation.language is None
            else (conversation.language or "en")
        )
        lines = [self._tr(language, message, step) for message in prefix or []]
        lines.append(self._text(step, language))
        options: tuple[Option, ...] = ()
        if step.ask in CHOICE_TYPES:
            shown = conversation.data.get(SHOWN_KEY)
            visible = [c for c in step.choices if shown is None or c.value in shown]
            if shown:
                order = {value: index for index, value in enumerate(shown)}
                visible.sort(key=lambda c: order[c.value])
            options = tuple(Option(c.value, self._label(c.label, language)) for c in visible)
        elif step.ask == "yesno":
            options = (
                Option("yes", self._tr(language, m.YES)),
                Option("no", self._tr(language, m.NO)),
            )
        return Outbound(
            "\n".join(line for line in lines if line),
            options=options,
            asks_location=step.ask == "location",
            step=f"{conversation.flow_id}/{step.id}",
        )

    def _tr(self, language: str | None, message: str, step: Step | None = None) -> str:
        if message == m.OUT_OF_RANGE and step is not None:
            params = {"minimum": _plain(step.minimum), "maximum": _plain(step.maximum)}
        else:
            params = {}
        if language is None:  # nobody has told us yet: say it both ways
            spanish = self.translator.gettext("es", message, **params)
            english = self.translator.gettext("en", message, **params)
            return spanish if spanish == english else f"{spanish}\n{english}"
        return self.translator.gettext(language, message, **params)

    def _say(self, s: _Scratch, message: str, language: str | None, **params: object) -> None:
        if language is None:
            spanish = self.translator.gettext("es", message, **params)
            english = self.translator.gettext("en", message, **params)
            s.messages.append(Outbound(f"{spanish}\n{english}"))
        else:
            s.messages.append(Outbound(self.translator.gettext(language, message, **params)))

    def _text(self, step: Step, language: str | None) -> str:
        if language is None and step.text:
            return "\n".join(pick_language(step.text, lang) for lang in ("es", "en"))
        return pick_language(step.text, language)

    @staticmethod
    def _label(label: Any, language: str | None) -> str:
        if language is None:
            spanish, english = pick_language(label, "es"), pick_language(label, "en")
            return spanish if spanish == english else f"{spanish} / {english}"
        return pick_language(label, language)

    # ---- state helpers -----------------------------------------------------------------

    def _flow_of(self, conversation: Conversation) -> Flow:
        return self.flows[conversation.flow_id or ""]

    def _current_step(self, conversation: Conversation) -> Step | None:
        flow = self.flows.flows.get(conversation.flow_id or "")
        if flow is None or conversation.step_id is None:
            return None
        step = flow.steps.get(conversation.step_id)
        # A step that no longer asks anything (the flow changed under a waiting resident)
        # cannot take an answer; treat the conversation as finished.
        return step if step is not None and step.kind == "ask" else None

    @staticmethod
    def _step_ref(conversation: Conversation) -> str:
        return f"{conversation.flow_id}/{conversation.step_id}"

    def _expired(self, conversation: Conversation, now: datetime) -> bool:
        updated = conversation.updated_at
        return updated is not None and now - updated > self.settings.session_timeout


def _plain(number: float | None) -> str:
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else str(number)
