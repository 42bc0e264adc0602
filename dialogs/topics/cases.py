"""Handlers of the complex-case queue (volet réflexif, Annexe B practice).

A member submits a de-identified case and the question for the group; the guard refuses any
identifying text before anything is stored. Until an animateur puts the case on a meeting's
agenda, only the animateurs and the submitter can see it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from cards.i18n import Translator
from cards.topics import (
    CaseDetail,
    CaseForm,
    CaseListView,
    Choice,
    TopicVerb,
    build_case_detail_card,
    build_case_form_card,
    build_case_list_card,
)
from dialogs.outreach import direct, text_activity
from dialogs.topics import meetings, rules
from dialogs.topics.guard import checked, known_names, new_id, refusal, with_carried
from dialogs.topics.handlers import bank_card, chosen_meeting, plan_return_to_bank
from dialogs.topics.jobs import return_past_items
from dialogs.topics.repositories import case_repository
from dialogs.topics.views import case_line, iso, meeting_choices, meeting_labels
from dialogs.turn import CardReply, DomainError, Turn
from storage.case_repository import Case
from storage.member_repository import member_key

logger = logging.getLogger(__name__)

_MULTILINE = ("context", "tried", "blocks", "question")
_MAX_LENGTHS = {
    "title": rules.TITLE_MAX,
    "context": rules.CASE_TEXT_MAX,
    "tried": rules.CASE_TEXT_MAX,
    "blocks": rules.CASE_TEXT_MAX,
    "question": rules.QUESTION_MAX,
}


# ---- reading ---------------------------------------------------------------------------------


async def _case(turn: Turn, data: Mapping[str, Any]) -> Case:
    """The case the card names, if the caller may see it (others get "not found", so a case's
    existence is not revealed either)."""
    case_id = checked(lambda: rules.id_field(data, "case_id"))
    case = await case_repository(turn.services).get(case_id)
    if case is None or not rules.can_see_case(
        case, turn.caller.member_key, turn.caller.is_animateur
    ):
        raise DomainError("topics.errors.case_not_found")
    return case


def _back_scope(turn: Turn, case: Case) -> str:
    if case.submitter_key == turn.caller.member_key:
        return "mine"
    return "queue" if turn.caller.is_animateur else "bank"


async def detail_card(turn: Turn, case: Case, notice: str = "") -> dict[str, Any]:
    services, t = turn.services, turn.t
    is_animateur = turn.caller.is_animateur
    labels = await meeting_labels(services, [case.meeting_id, case.desired_meeting_id], t)
    choices: tuple[Choice, ...] = ()
    if is_animateur and case.status in (rules.SUBMITTED, rules.SCHEDULED):
        choices = await meeting_choices(services, t)
    view = CaseDetail(
        line=case_line(case, services, t, labels, show_submitter=is_animateur),
        context=case.context,
        tried=case.tried,
        blocks=case.blocks,
        question=case.question,
        wishes=case.wishes,
        desired_meeting=labels.get(case.desired_meeting_id, ""),
        notice=notice,
        can_withdraw=rules.can_withdraw_case(case, turn.caller.member_key),
        is_animateur=is_animateur,
        meetings=choices,
        back_scope=_back_scope(turn, case),
    )
    return build_case_detail_card(view, t)


async def list_card(turn: Turn, scope: str, notice: str = "") -> dict[str, Any]:
    services, t = turn.services, turn.t
    await return_past_items(services, services.clock())
    found = await case_repository(services).all()
    if scope == "queue":
        shown = [c for c in found if c.status != rules.ARCHIVED]
    else:
        shown = [c for c in found if c.submitter_key == turn.caller.member_key]
    labels = await meeting_labels(services, (c.meeting_id for c in shown), t)
    view = CaseListView(
        scope=scope,
        lines=tuple(
            case_line(c, services, t, labels, show_submitter=scope == "queue")
            for c in rules.queue_order(shown)
        ),
        notice=notice,
    )
    return build_case_list_card(view, t)


async def _form(turn: Turn, **values: Any) -> dict[str, Any]:
    choices = await meeting_choices(turn.services, turn.t)
    return build_case_form_card(CaseForm(meetings=choices, **values), turn.t)


# ---- commands --------------------------------------------------------------------------------


async def new_case(turn: Turn) -> None:
    """``cas``: the submission form."""
    await turn.send_card(await _form(turn))


async def my_cases(turn: Turn) -> None:
    """``mes cas``: the caller's cases."""
    await turn.send_card(await list_card(turn, "mine"))


async def case_queue(turn: Turn) -> None:
    """``file des cas`` (animateurs): every case not archived, waiting ones first."""
    await turn.send_card(await list_card(turn, "queue"))


# ---- actions ---------------------------------------------------------------------------------


async def new_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return CardReply(await _form(turn))


async def list_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    scope = data.get("scope", "mine")
    if scope == "bank":
        return CardReply(await bank_card(turn))
    if scope not in ("mine", "queue"):
        raise DomainError("errors.bad_card_data")
    if scope == "queue" and not turn.caller.is_animateur:
        raise DomainError("errors.forbidden")
    return CardReply(await list_card(turn, str(scope)))


async def submit(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """The submission form: check, screen every text, then save and tell the animateurs."""
    data = with_carried(data)
    draft, problem = checked(lambda: rules.case_draft(data))
    services = turn.services
    if not problem and draft.desired_meeting_id:
        upcoming = await meetings.upcoming(services, services.clock())
        if draft.desired_meeting_id not in {m.id for m in upcoming}:
            problem = "meeting_gone"
    if problem:
        return CardReply(
            await _form(
                turn,
                **draft.texts(),
                wishes=draft.wishes,
                meeting=draft.desired_meeting_id,
                problem=problem,
            )
        )
    screened = rules.screen(draft.texts(), await known_names(turn))
    if screened:
        return refusal(
            turn,
            draft.texts(),
            screened,
            submit_verb=TopicVerb.case_submit,
            cancel_verb=TopicVerb.case_list,
            carried={"wishes": ",".join(draft.wishes), "meeting": draft.desired_meeting_id},
            multiline=_MULTILINE,
            max_lengths=_MAX_LENGTHS,
            label_prefix="topics.case.field",
        )
    at = iso(services.clock())
    case = rules.new_case(draft, new_id(), turn.caller.member_key, turn.caller.name, at)
    await case_repository(services).add(case)
    logger.info("case %s submitted by %s", case.id, turn.caller.member_key)
    await _tell_animateurs(turn, case)
    return CardReply(await detail_card(turn, case, "case_submitted"))


async def _tell_animateurs(turn: Turn, case: Case) -> None:
    """A 1:1 message to each animateur Veilleuse knows (the title only; it passed the guard)."""
    items = []
    for animateur in turn.services.profile.current.animateurs:
        if not animateur.aad_object_id:
            continue
        member = await turn.services.members.get(member_key("", animateur.aad_object_id))
        if member is None or member.key == turn.caller.member_key:
            continue
        t = Translator(member.locale or turn.services.profile.current.default_locale)
        text = t("topics.case.notify", title=case.title, word=t("command.cases.queue.word"))
        items.append(direct(member, f"topics:case:{case.id}:{member.key}", text_activity(text)))
    if items:
        await turn.services.messenger.enqueue(items)


async def detail_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    await return_past_items(turn.services, turn.services.clock())
    return CardReply(await detail_card(turn, await _case(turn, data)))


async def withdraw_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    case = await _case(turn, data)
    if case.submitter_key != turn.caller.member_key:
        raise DomainError("topics.errors.not_yours")
    if not rules.can_withdraw_case(case, turn.caller.member_key):
        raise DomainError("topics.errors.not_allowed")
    await case_repository(turn.services).delete(case.id)
    logger.info("case %s withdrawn by its submitter", case.id)
    return CardReply(await list_card(turn, "mine", "case_withdrawn"))


async def _transition(
    turn: Turn,
    data: Mapping[str, Any],
    change: Callable[[Case, str], Case | None],
    target: str,
    notice: str,
) -> CardReply:
    case = await _case(turn, data)
    at = iso(turn.services.clock())
    result = await case_repository(turn.services).update(case.id, lambda c: change(c, at))
    if result is None:
        raise DomainError("topics.errors.case_not_found")
    before, after = result
    if after.status != target:
        raise DomainError("topics.errors.not_allowed")
    if before != after:
        logger.info("case %s is now %s", case.id, target)
        if before.meeting_id != after.meeting_id:
            await meetings.refresh_agendas(turn.services, before.meeting_id, after.meeting_id)
    return CardReply(await detail_card(turn, after, notice))


async def schedule_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    meeting = await chosen_meeting(turn, data)
    reply = await _transition(
        turn,
        data,
        lambda c, at: rules.case_scheduled(c, meeting.id, at),
        rules.SCHEDULED,
        "case_scheduled",
    )
    plan_return_to_bank(turn, meeting)
    return reply


async def unschedule_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return await _transition(
        turn, data, rules.case_back_to_queue, rules.SUBMITTED, "case_unscheduled"
    )


async def treated_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return await _transition(turn, data, rules.case_treated, rules.TREATED, "case_treated")


async def archive_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return await _transition(turn, data, rules.case_archived, rules.ARCHIVED, "case_archived")
