"""The actions survey flows call, the ``survey_open`` menu predicate and the survey checks.

Every survey flow follows the same shape (see ``docs/surveys.md``): ``survey_begin`` decides
between closed / continue / consent, ``survey_consent`` creates the response, the flow's
``on_event: survey_record`` saves each answer as it arrives, and ``survey_complete`` closes the
response and offers resources for positive screens. Without a stored consent there is no
response, and ``survey_record`` has nowhere to write: no consent, no answers.
"""

from __future__ import annotations

from typing import Any

from .. import contacts
from ..engine import OFFER_KEY, PREFILL_KEY, ActionContext, ActionResult, Capabilities, Outbound
from ..engine import messages as engine_messages
from ..engine.flows import Target
from ..predicate_cache import cached
from . import messages as m
from . import store
from .definitions import SurveyDefinition, definition, load_surveys, validate_surveys
from .models import Survey, SurveyResponse
from .scoring import compute

RESPONSE_KEY = "survey_response"  # conversation data: the id of the response being filled in
FLAG_PREFIX = "survey_"


def register(capabilities: Capabilities) -> None:
    capabilities.validators.append(validate_surveys)
    # Rendered with every menu: remembered until a survey opens or closes (or a few seconds).
    capabilities.predicates["survey_open"] = cached(survey_open, Survey)
    for name, action in (
        ("survey_pick", pick),
        ("survey_begin", begin),
        ("survey_resume", resume),
        ("survey_restart", restart),
        ("survey_consent", consent),
        ("survey_decline", decline),
        ("survey_record", record),
        ("survey_complete", complete),
        ("survey_expired", expired),
    ):
        capabilities.actions[name] = action


def _survey(context: ActionContext) -> SurveyDefinition:
    # Read from the flow the engine is running (a few microseconds), so a survey file that
    # changed on disk can never be scored with another version's rules.
    if context.flow is None:
        raise RuntimeError("survey actions run inside a survey flow")
    return definition(context.flow)


def _current(context: ActionContext, survey: SurveyDefinition) -> SurveyResponse | None:
    deps = context.deps
    response_id = context.conversation.data.get(RESPONSE_KEY)
    return store.current(deps.session, response_id, deps.contact.id, survey.key)


def _resumable(context: ActionContext, survey: SurveyDefinition) -> SurveyResponse | None:
    """The resident's unfinished response to this version of the survey, if any."""
    session, contact = context.deps.session, context.deps.contact
    response = store.in_progress(session, contact.id, survey.key)
    if response is None:
        return None
    if response.survey_version != survey.version or response.fingerprint != survey.fingerprint:
        # Its questions are not the ones we would ask now; keep it as it is, start afresh.
        store.abandon(session, contact.id, survey.key, context.now)
        return None
    return response


def _resume_result(context: ActionContext, response: SurveyResponse) -> ActionResult:
    answers = store.answers_of(context.deps.session, response)
    return ActionResult(data={RESPONSE_KEY: response.id, PREFILL_KEY: answers}, outcome="resumed")


# ---- menu ---------------------------------------------------------------------------------


def _may_answer(deps: Any, survey: SurveyDefinition) -> bool:
    """A survey limited to a tag (the partner survey) is for contacts with that tag only."""
    return survey.tag is None or contacts.has_tag(deps.session, deps.contact.id, survey.tag)


def _open_for(deps: Any) -> list[str]:
    """The open surveys this contact may answer, the most recently opened first."""
    surveys = load_surveys(deps.settings.flows_dir)
    return [
        key for key in store.open_keys(deps.session, surveys) if _may_answer(deps, surveys[key])
    ]


def survey_open(deps: Any) -> bool:
    """Menu predicate: is any survey open for this contact right now?"""
    if deps is None:
        return False
    return bool(_open_for(deps))


def pick(context: ActionContext) -> ActionResult:
    """From the menu: start the open survey, or offer the open ones as a numbered question."""
    if context.deps is None:
        return ActionResult(outcome="none")
    keys = _open_for(context.deps)
    if not keys:
        return ActionResult([Outbound(context.gettext(m.NONE_OPEN))], outcome="none")
    if len(keys) == 1:
        return ActionResult(goto=Target(flow=keys[0]))
    return ActionResult(data={OFFER_KEY: keys}, outcome="several")


# ---- starting, consent, resuming ----------------------------------------------------------


def begin(context: ActionContext) -> ActionResult:
    """First step of every survey: closed, continue where they left off, or ask consent."""
    if context.deps is None:
        return ActionResult()
    survey = _survey(context)
    if not store.is_open(context.deps.session, survey.key):
        return ActionResult([Outbound(context.gettext(m.CLOSED))], outcome="closed")
    if not _may_answer(context.deps, survey):
        return ActionResult([Outbound(context.gettext(m.TAGGED_ONLY))], outcome="closed")
    response = _resumable(context, survey)
    if response is None:
        return ActionResult()  # on to consent
    if not store.answers_of(context.deps.session, response):
        return _resume_result(context, response)  # consented, nothing answered: just go on
    return ActionResult(outcome="in_progress")


def resume(context: ActionContext) -> ActionResult:
    if context.deps is None:
        return ActionResult(outcome="missing")
    response = _resumable(context, _survey(context))
    if response is None:
        return ActionResult(outcome="missing")
    return _resume_result(context, response)


def restart(context: ActionContext) -> ActionResult:
    if context.deps is not None:
        survey = _survey(context)
        store.abandon(context.deps.session, context.deps.contact.id, survey.key, context.now)
    return ActionResult(data={RESPONSE_KEY: None})


def consent(context: ActionContext) -> ActionResult:
    """The resident said yes: the response (and its consent time) exists from now on."""
    if context.deps is None:
        return ActionResult()
    survey = _survey(context)
    if _current(context, survey) is not None:
        return ActionResult()  # went BACK to the consent question and said yes again
    deps = context.deps
    response = store.start(
        deps.session, survey, deps.contact.id, context.language, deps.contact.channel, context.now
    )
    return ActionResult(data={RESPONSE_KEY: response.id})


def decline(context: ActionContext) -> ActionResult:
    """No consent (or consent withdrawn by going back to it): nothing is kept."""
    if context.deps is not None:
        response = _current(context, _survey(context))
        if response is not None:
            context.deps.session.delete(response)
    return ActionResult([Outbound(context.gettext(m.DECLINED))], data={RESPONSE_KEY: None})


def expired(context: ActionContext) -> ActionResult:
    """A resident comes back after the conversation timed out inside a survey."""
    if context.deps is not None:
        survey = _survey(context)
        if store.is_open(context.deps.session, survey.key) and _resumable(context, survey):
            return ActionResult(outcome="in_progress")
    return ActionResult([Outbound(context.gettext(engine_messages.EXPIRED))], outcome="none")


# ---- answers ------------------------------------------------------------------------------


def record(context: ActionContext) -> ActionResult:
    """``on_event`` of every survey: save, replace or withdraw an answer; raise alerts."""
    event = context.event
    if context.deps is None or event is None:
        return ActionResult()
    survey = _survey(context)
    response = _current(context, survey)
    if response is None:
        return ActionResult()  # before consent (or after declining): nothing is stored
    deps = context.deps
    if event.kind == "crisis":
        # The conversation service raises the staff flag; the response is marked for it.
        store.flag(response, "crisis", context.now)
        return ActionResult()
    question = survey.question(event.key or "")
    if question is None:
        return ActionResult()  # consent or navigation steps are not answers
    if event.kind == "back":
        store.withdraw_answer(deps.session, response, event.key or "", context.now)
        return ActionResult()
    store.save_answer(
        deps.session,
        response,
        question.key,
        question.type,
        event.value,
        skipped=event.kind == "skip",
        language=context.language,
        now=context.now,
        message_id=deps.inbound_message_id,
    )
    return ActionResult(_alerts(context, survey, response))


def _answers(context: ActionContext, survey: SurveyDefinition) -> dict[str, Any]:
    data = context.conversation.data
    return {key: data[key] for key in survey.question_keys if key in data}


def _alerts(
    context: ActionContext, survey: SurveyDefinition, response: SurveyResponse
) -> list[Outbound]:
    """Positive screens that need a person: flag once, and give the crisis lines at once."""
    messages = []
    answers = _answers(context, survey)
    for score in survey.scores:
        if not (score.flag or score.crisis_lines):
            continue
        if not compute(score, answers).positive:
            continue
        reason = score.flag or score.key
        if not store.flag(response, reason, context.now):
            continue  # already flagged for this; do not repeat the message on every answer
        contacts.flag_for_staff(
            context.deps.session,
            context.deps.contact,
            (FLAG_PREFIX + reason)[:32],
            context.now,
            message_id=context.deps.inbound_message_id,
        )
        if score.crisis_lines:
            messages.append(Outbound(context.gettext(m.SUPPORT_LINES)))
    return messages


def complete(context: ActionContext) -> ActionResult:
    """Close the response and offer resources for each positive screen that has an offer."""
    survey = _survey(context)
    answers = _answers(context, survey)
    messages = [
        Outbound(context.text(score.offer))
        for score in survey.scores
        if score.offer and compute(score, answers).positive
    ]
    if context.deps is not None:
        response = _current(context, survey)
        if response is not None:
            store.complete(response, context.now)
    return ActionResult(messages, data={RESPONSE_KEY: None})
