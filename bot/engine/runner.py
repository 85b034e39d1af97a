"""The conversation engine: one inbound message in, the new state and replies out.

``Engine.handle`` does no I/O of its own. What a message is comes from ``bot.understanding``
and is acted on first, so a flow that is waiting for an answer can never swallow STOP, HELP,
MENU, a language switch, a crisis or a request for a person (opt-in words are the exception:
with a question waiting they are its answer); then, unless the bot is paused for a person (a
handoff: ordinary messages are then for staff, and get no answer), the waiting question gets
its answer (or BACK / SKIP where the flow allows them); then flow trigger words (inside a
request too, at the menu); then the menu. A flow's ``on_event`` action hears of each answer,
skip, BACK and crisis, which is how domain modules (surveys, the finder) keep their own
records without the engine knowing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from ..understanding import Reading, confirmation, fold, read
from ..understanding.requests import Triggers
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
from .answers import asks_again, is_back, is_hedge, is_skip, names_choice_exactly, parse_answer
from .flows import CHOICE_TYPES, Flow, FlowSet, Step, Target, validate
from .types import (
    HANDOFF_KEY,
    HISTORY_KEY,
    OFFER_KEY,
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
# The flow a request for a person starts (its action flags staff and pauses the bot), and the
# menu predicate that says a person can be asked for in this deployment.
HANDOFF_FLOW = "talk_to_person"
HANDOFF_PREDICATE = "handoff_ready"
MAX_HOPS = 50  # a flow that loops without asking anything is a bug, not a conversation
# Set when Vecino asked "do you want to stop our messages?"; read by the next message only.
CONFIRM_KEY = "_confirm_opt_out"
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
    help_contact: str | None = None  # VECINO_HELP_CONTACT: a person to reach, named in HELP
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
        self._triggers = Triggers.of_flows(flows)

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
        reading = read(inbound.text) if inbound.choice is None else None
        asked = bool(conversation.data.get(CONFIRM_KEY))
        if asked:  # the question "stop our messages?" gets this one message, no more
            data = {k: v for k, v in conversation.data.items() if k != CONFIRM_KEY}
            scratch.conversation = replace(conversation, data=data)
            answer = confirmation(inbound.text) if reading is None else None
            if answer is not None:
                reading = Reading("opt_out" if answer else "stay", None)
        if conversation.opted_out:
            self._while_opted_out(scratch, reading, inbound, now, deps)
        elif reading is None or not self._keyword(scratch, reading, asked, inbound, now, deps):
            if self.paused(scratch.conversation):
                # For the person who will answer: stored by the caller, shown to staff.
                scratch.events.append(Event("held"))
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
        (search results shown): there is nothing to interrupt. A resident waiting for (or
        talking with) a person is always busy: nothing Vecino starts cuts into that.
        """
        if self.paused(conversation):
            return True
        if not conversation.waiting or conversation.flow_id in (MAIN_FLOW, WELCOME_FLOW):
            return False
        updated = conversation.updated_at
        return updated is not None and now - updated < BUSY_WINDOW

    @staticmethod
    def paused(conversation: Conversation) -> bool:
        """The bot is paused for this resident: they asked for a person (``bot.handoff``)."""
        return HANDOFF_KEY in conversation.data

    def handoff_available(self, deps: Any) -> bool:
        """A person can be asked for: the flow exists and this deployment offers it."""
        predicate = self.capabilities.predicates.get(HANDOFF_PREDICATE)
        return HANDOFF_FLOW in self.flows.flows and (predicate is None or predicate(deps))

    # ---- keywords ----------------------------------------------------------------------

    def _while_opted_out(
        self, s: _Scratch, reading: Reading | None, inbound: Inbound, now: datetime, deps: Any
    ) -> None:
        # Silence, except what the resident explicitly asks for: coming back, the HELP answer
        # carriers require, and crisis lines (safety outranks the opt-out).
        if reading is None:
            return
        language = s.conversation.language or reading.language
        if reading.kind == "opt_in":
            s.conversation = replace(s.conversation, opted_out=False)
            s.events.append(Event("opted_in"))
            self._say(s, m.OPTED_IN, language, program=self.settings.program_name)
            self._restart(s, inbound, now, deps)
        elif reading.kind == "help":
            self._say(s, m.HELP_OPTED_OUT, language, program=self.settings.program_name)
        elif reading.kind in ("crisis", "safety"):
            self._crisis(s, reading)

    def _keyword(
        self,
        s: _Scratch,
        reading: Reading,
        asked: bool,
        inbound: Inbound,
        now: datetime,
        deps: Any,
    ) -> bool:
        """Act on a global keyword; False when the message is the waiting question's after all."""
        language = s.conversation.language
        match reading.kind:
            case "crisis":
                self._crisis(s, reading)
                step = self._current_step(s.conversation)
                if step is not None:  # let the flow note it (a survey flags the response)
                    self._notify(s, step, FlowEvent("crisis"), inbound, now, deps)
            case "safety":
                self._crisis(s, reading)
                # "mi esposo me pega, necesito un albergue en 90011": the lines first, then the
                # request, unless a flow (a survey) is waiting for its answer.
                if self._at_top(s.conversation) and not self.paused(s.conversation):
                    self._try_trigger(s, inbound, now, deps)
            case "opt_out":
                self._opt_out(s)
            case "ask_opt_out" if asked:  # said twice: that is a clear wish to stop
                self._opt_out(s)
            case "ask_opt_out":
                s.conversation = replace(
                    s.conversation, data={**s.conversation.data, CONFIRM_KEY: True}
                )
                self._say(s, m.CONFIRM_OPT_OUT, language)
            case "stay":  # "no" to "stop our messages?": carry on where they were
                step = self._current_step(s.conversation)
                if self.paused(s.conversation):
                    self._say_waiting(s, language)
                elif step is None:
                    self._restart(s, inbound, now, deps)
                else:
                    s.messages.append(self._question(s.conversation, step))
            case "opt_in" if s.conversation.waiting:
                return False  # "empezar" at "¿Empezamos?" is an answer, not a subscription
            case "opt_in" | "menu":
                self._end_handoff(s, "menu")  # MENU is how a resident takes the bot back
                self._restart(s, inbound, now, deps)
            case "help":
                self._help(s, reading, inbound, now, deps)
            case "language":
                self._switch_language(s, reading.value or "es", inbound, now, deps)
            case "person" if self.paused(s.conversation):
                self._say_waiting(s, language or reading.language)
            case "person" if self.handoff_available(deps):
                if language is None:
                    s.conversation = replace(s.conversation, language=reading.language)
                    s.events.append(Event("language_set", {"language": reading.language}))
                self._start(s, HANDOFF_FLOW, inbound, now, deps)
            case "person":  # no one to hand over to here: an ordinary message
                return False
        return True

    def _say_waiting(self, s: _Scratch, language: str | None) -> None:
        self._say(s, m.HANDOFF_WAITING, language, program=self.settings.program_name)

    def _end_handoff(self, s: _Scratch, why: str) -> None:
        """The resident took the bot back (MENU) or opted out: staff stop waiting on them."""
        if self.paused(s.conversation):
            data = {k: v for k, v in s.conversation.data.items() if k != HANDOFF_KEY}
            s.conversation = replace(s.conversation, data=data)
            s.events.append(Event("handoff_ended", {"by": why}))

    def _crisis(self, s: _Scratch, reading: Reading) -> None:
        """The lines to call at once (988 for a crisis, the domestic-violence lines for
        violence at home), and a staff flag; both languages unless we know theirs and they
        wrote in it. Each language is its own message (each within 3 SMS segments)."""
        kinds = [reading.kind] + (["safety"] if reading.value == "safety" else [])
        known = s.conversation.language
        same = known is not None and reading.language in (None, known)
        languages = [known] if same else ["es", "en"]
        for kind in kinds:
            s.events.append(Event(kind))
            message = m.SAFETY if kind == "safety" else m.CRISIS
            for language in languages:
                s.messages.append(Outbound(self.translator.gettext(language, message)))

    def _opt_out(self, s: _Scratch) -> None:
        # Unknown language: both, since STOP is what carriers print for everyone.
        self._end_handoff(s, "opt_out")
        s.events.append(Event("opted_out"))
        self._say(s, m.OPTED_OUT, s.conversation.language, program=self.settings.program_name)
        s.conversation = replace(s.conversation.at(None, None), opted_out=True, data={})

    def _help(
        self, s: _Scratch, reading: Reading, inbound: Inbound, now: datetime, deps: Any
    ) -> None:
        """The carriers' HELP notice (who we are, a person to reach, how to stop), then the
        waiting question again, or the menu (which offers the finder) when none is waiting."""
        language = s.conversation.language or reading.language
        contact = self.settings.help_contact
        message = m.HELP_WITH_CONTACT if contact else m.HELP
        params = {"program": self.settings.program_name, "contact": contact or ""}
        self._say(s, message, language, **params)
        step = self._current_step(s.conversation)
        if self.paused(s.conversation):
            self._say_waiting(s, language)
        elif step is None or s.conversation.flow_id == WELCOME_FLOW:
            self._restart(s, inbound, now, deps)
        else:
            s.messages.append(self._question(s.conversation, step))

    def _switch_language(
        self, s: _Scratch, language: str, inbound: Inbound, now: datetime, deps: Any
    ) -> None:
        s.conversation = replace(s.conversation, language=language)
        s.events.append(Event("language_set", {"language": language}))
        self._say(s, m.LANGUAGE_SET, language)
        step = self._current_step(s.conversation)
        if self.paused(s.conversation):
            return  # still waiting for a person, who will now write in this language
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
        # "family survey" at the menu: the whole message is that survey's words, while the
        # menu's "Take a survey" only contains one of them.
        another_flow = answer.ok and self._names_another_flow(step, inbound, shown)
        if another_flow and self._try_trigger(s, inbound, now, deps):
            return
        if answer.ok:
            self._accept(s, step, answer.value, "answer", inbound, now, deps)
            return
        if inbound.choice is None and asks_again(inbound.text):
            s.messages.append(self._question(conversation, step))
            return
        # A hedge ("más o menos") that fits no option is an answer to ask again, never the
        # trigger its first word happens to be (MÁS); so is a lone word in a flow that holds.
        held = self._flow_of(conversation).hold and len(fold(inbound.text).split()) == 1
        if not (held or is_hedge(inbound.text)) and self._try_trigger(s, inbound, now, deps):
            return
        # A button that names no choice was not typed: show the question with its buttons.
        self._reprompt(s, step, answer.problem or "unclear", whole=inbound.choice is not None)

    def _names_another_flow(self, step: Step, inbound: Inbound, shown: list) -> bool:
        if step.ask not in CHOICE_TYPES or inbound.choice is not None:
            return False
        folded = fold(inbound.text)
        whole_trigger = any(folded == word for word, _, _ in self._triggers.entries)
        return whole_trigger and not names_choice_exactly(inbound.text, step.choices, shown)

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

    def _reprompt(self, s: _Scratch, step: Step, problem: str, whole: bool = False) -> None:
        """One short line with what would fit; the whole question again (and the way to the
        menu) only after repeated misses, since each repeat costs the resident segments."""
        count = s.conversation.invalid_count + 1
        s.conversation = replace(s.conversation, invalid_count=count)
        again = count % self.settings.invalid_answers_before_menu_offer == 0
        question = self._question(s.conversation, step, prefix=[m.OFFER_MENU] if again else [])
        language = (
            None
            if step.bilingual and s.conversation.language is None
            else (s.conversation.language or "en")
        )
        languages = ("es", "en") if language is None else (language,)
        options = len(question.options)
        lines = [self._retry_line(lang, step, problem, options) for lang in languages]
        retry = "\n".join(dict.fromkeys(lines))
        if again or whole:
            s.messages.append(replace(question, text=f"{retry}\n{question.text}"))
        else:
            s.messages.append(replace(question, text=retry, list_options=False))

    def _retry_line(self, language: str, step: Step, problem: str, options: int) -> str:
        """The short re-prompt in one language: what went wrong, then what fits."""
        lead = {"empty": m.EMPTY, "too_many": m.JUST_ONE, "conflict": m.NOT_TOGETHER}.get(
            problem, m.NOT_UNDERSTOOD
        )
        ranged = step.minimum is not None and step.maximum is not None
        if step.ask in ("choice", "multi") and problem == "out_of_range":
            lead = m.NOT_UNDERSTOOD
        if step.ask == "multi":
            hint = [m.REPLY_ONE_OR_MORE]
        elif step.ask == "choice":
            hint = [m.REPLY_NUMBERS]
        elif step.ask == "yesno":
            hint = [m.REPLY_YES_NO]
        elif step.ask in ("number", "scale") and ranged:
            lead, hint = (None if problem == "out_of_range" else lead), [m.OUT_OF_RANGE]
        elif step.ask in ("number", "scale"):
            hint = [m.REPLY_A_NUMBER]
        elif step.ask == "date":
            ambiguous = problem == "ambiguous"
            lead, hint = (None, [m.AMBIGUOUS_DATE]) if ambiguous else (lead, [m.NEED_DATE])
        elif step.ask in ("zip", "location"):
            if problem == "too_many":
                lead, hint = None, [m.ONE_ZIP]
            else:
                hint = [m.NEED_ZIP if step.ask == "zip" else m.NEED_LOCATION]
        else:
            hint = [m.TYPE_YOUR_ANSWER]
        if step.skippable:
            hint.append(m.OR_SKIP)
        numbers = self._or_list(language, [str(n) for n in range(1, options + 1)])
        parts = [lead, *hint] if lead else hint
        return " ".join(self._tr(language, part, step, numbers=numbers) for part in parts)

    def _or_list(self, language: str, items: list[str]) -> str:
        if len(items) < 2:
            return "".join(items)
        last = self.translator.gettext(language, m.OR_LIST, first=items[-2], last=items[-1])
        return ", ".join([*items[:-2], last])

    def _after_answer(self, step: Step, value: Any) -> Target:
        for choice in step.choices:
            if choice.value == value and choice.next is not None:
                return choice.next
        return step.next

    def _try_trigger(self, s: _Scratch, inbound: Inbound, now: datetime, deps: Any) -> bool:
        if inbound.location is not None:
            return self._try_location(s, inbound, now, deps)
        found = self._match_trigger(inbound.text, self._at_top(s.conversation))
        if found is None:
            return False
        language, flow_id = found
        if s.conversation.language is None:
            s.conversation = replace(s.conversation, language=language)
            s.events.append(Event("language_set", {"language": language}))
        s.conversation = replace(s.conversation.at(None, None), data={TRIGGER_KEY: inbound.text})
        self._go(s, Target(flow=flow_id), inbound, now, deps, from_flow=None)
        return True

    def _match_trigger(self, text: str, inside: bool = False) -> tuple[str, str] | None:
        """``(language, flow_id)`` of the trigger a message starts with ("comdia 90057" with
        its typo too) or, when ``inside``, of a request ("necesito comida cerca de 90011")."""
        return self._triggers.match(text, inside=inside)

    @staticmethod
    def _at_top(conversation: Conversation) -> bool:
        """Nothing but the menu (or the welcome) is waiting: a request may be anywhere in the
        message. Inside a survey, only a message that starts with a trigger leaves it."""
        return not conversation.waiting or conversation.flow_id in (MAIN_FLOW, WELCOME_FLOW)

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
                    visible = self._visible_choices(step, deps, s.conversation.data)
                    data = {**s.conversation.data, SHOWN_KEY: [c.value for c in visible]}
                    data.pop(PREFILL_KEY, None)
                    data.pop(OFFER_KEY, None)
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

    def _visible_choices(self, step: Step, deps: Any, data: dict) -> list:
        predicates = self.capabilities.predicates
        visible = [c for c in step.choices if not c.show_if or predicates[c.show_if](deps)]
        offered = data.get(OFFER_KEY)
        if isinstance(offered, list):
            by_value = {c.value: c for c in visible}
            visible = [by_value[value] for value in offered if value in by_value]
        return visible

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

    def _tr(
        self, language: str | None, message: str, step: Step | None = None, **params: str
    ) -> str:
        if message == m.OUT_OF_RANGE and step is not None:
            params = {"minimum": _plain(step.minimum), "maximum": _plain(step.maximum)}
        elif message != m.REPLY_NUMBERS:
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
