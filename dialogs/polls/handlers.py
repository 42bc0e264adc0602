"""Commands and card actions of polls and surveys (sondages).

Creating (animateurs; members too when the community profile says ``[polls]
members_can_create = true``, each on their own drafts and polls, the satisfaction survey of a
meeting and the cycle's « Retombées et apprentissages » staying with the animateurs): ``sondage``
shows the choice of a blank poll or a ready-made survey (or ``sondage
besoins|satisfaction|disponibilites|retombées`` goes straight to one); the
draft card holds the settings, each question is added or edited in a form of its own, and
« Publier » validates everything on the server and posts the poll where the draft card is (the
draft card becomes the poll). For a committee or every active member, each member also gets the
poll in 1:1. The creator of a poll and the animateurs may close, reopen, extend and export it.

Answering (members): Action.Execute on the poll card; the answer card comes back to that person
only. Card data is untrusted and checked by ``rules.parse_ballot``; free text goes through the
de-identification guard before anything is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from cards.help import build_message_card
from cards.i18n import SUPPORTED_LOCALES, Translator, fold, translator
from cards.polls import (
    TEMPLATES,
    ListedPoll,
    QuestionFormView,
    ReviewView,
    aggregate_csv,
    build_list_card,
    build_new_card,
    build_question_card,
    build_review_card,
    format_moment,
    named_csv,
    problem_text,
)
from dialogs import cycles
from dialogs.deidentify import Finding, find_identifiers, redact
from dialogs.meetings import queries as meetings
from dialogs.outreach import card_activity, direct
from dialogs.polls import rules
from dialogs.polls.audience import (
    audience_members,
    committee_ids,
    in_poll_conversation,
    members_may_create,
    new_id,
    place_of,
    poll_repository,
    teams_ids,
    threshold,
)
from dialogs.polls.jobs import cancel_jobs, post_results, schedule_jobs, shared_card_update
from dialogs.polls.surveys import Blueprint, MeetingInfo, blueprint
from dialogs.polls.views import Viewer, draft_card, fits_in_a_card, poll_card, results_of
from dialogs.roles import Role
from dialogs.topics import queries as topics
from dialogs.turn import ActionResult, CardReply, DomainError, MessageReply, Services, Turn
from storage.outbox_repository import OutboxItem
from storage.poll_repository import Choice, Poll, Question, iso, parse_iso

logger = logging.getLogger(__name__)

BAD_DATA = "errors.bad_card_data"
RECENT = timedelta(days=90)
MAX_LISTED = 20


# ---- small helpers ---------------------------------------------------------------------------


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise DomainError(BAD_DATA)
    return value


def _number_text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key, "")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise DomainError(BAD_DATA)
    return str(value)


def _viewer(turn: Turn, poll: Poll | None = None) -> Viewer:
    caller = turn.caller
    return Viewer(
        caller.member_key,
        caller.teams_user_id,
        _manages(turn, poll) if poll else caller.is_animateur,
        in_conversation=in_poll_conversation(turn, poll) if poll else False,
    )


def _personal_reply(turn: Turn, card: dict[str, Any], text: str) -> ActionResult:
    """A card meant for this person alone. An Action.Execute answer is shown only to them; an
    Action.Submit (older clients) would make the bot put the card on everyone's message in a
    channel, so there the answer is said in words instead."""
    if turn.where.by_execute or not place_of(turn).shared:
        return CardReply(card)
    return MessageReply(text)


def _reply_to(turn: Turn) -> str:
    return turn.where.reply_to_id


# ---- who may do what -------------------------------------------------------------------------
# Animateurs create and manage every poll. When the community profile allows it, a member may
# create polls too, and then works only on their own drafts. Whoever created a poll may close,
# reopen, extend and export it (even if the profile no longer lets members create).

FORBIDDEN = "command.poll.forbidden"
NOT_YOURS = "polls.errors.not_yours"
# The meeting satisfaction survey and the cycle's « Retombées et apprentissages ».
ANIMATEURS_ONLY_TEMPLATES = ("satisfaction", "outcomes")


def _may_create(turn: Turn) -> bool:
    return turn.caller.is_animateur or members_may_create(turn.services)


def _require_may_create(turn: Turn) -> None:
    if not _may_create(turn):
        logger.info("poll creation refused to %s", turn.caller.member_key)
        raise DomainError(FORBIDDEN)


def help_role(services: Services) -> Role:
    """Where the help card lists ``sondage``: for everyone when members may create polls."""
    return Role.MEMBER if members_may_create(services) else Role.ANIMATEUR


def _templates_for(turn: Turn) -> tuple[str, ...]:
    if turn.caller.is_animateur:
        return TEMPLATES
    return tuple(name for name in TEMPLATES if name not in ANIMATEURS_ONLY_TEMPLATES)


def _manages(turn: Turn, poll: Poll) -> bool:
    return turn.caller.is_animateur or poll.created_by == turn.caller.member_key


async def _own_draft(turn: Turn, data: Mapping[str, Any]) -> Poll:
    """The draft named by the card, if this person may work on it."""
    _require_may_create(turn)
    draft = await _draft(turn, data)
    if not _manages(turn, draft):
        logger.info("poll draft %s refused to %s", draft.id, turn.caller.member_key)
        raise DomainError(NOT_YOURS)
    return draft


async def _managed_poll(turn: Turn, data: Mapping[str, Any]) -> Poll:
    """The poll named by the card, if this person may close, reopen, extend or export it."""
    poll = await _poll(turn, data)
    if not _manages(turn, poll):
        logger.info("poll %s management refused to %s", poll.id, turn.caller.member_key)
        raise DomainError(NOT_YOURS)
    return poll


# ---- loading ---------------------------------------------------------------------------------


async def _poll(turn: Turn, data: Mapping[str, Any]) -> Poll:
    poll_id = _text(data, "poll_id")
    poll = await poll_repository(turn.services).get(poll_id) if poll_id else None
    if poll is None or poll.status == "draft":
        raise DomainError("polls.errors.not_found")
    return poll


async def _draft(turn: Turn, data: Mapping[str, Any]) -> Poll:
    draft_id = _text(data, "draft_id")
    draft = await poll_repository(turn.services).get(draft_id) if draft_id else None
    if draft is None or draft.status != "draft":
        raise DomainError("polls.errors.draft_gone")
    return draft


def _template_named(words: str) -> str | None:
    for name in TEMPLATES:
        for locale in SUPPORTED_LOCALES:
            if fold(Translator(locale)(f"polls.template_word.{name}")) == words:
                return name
    return None


# ---- commands --------------------------------------------------------------------------------


async def create(turn: Turn) -> None:
    """``sondage`` [besoins|satisfaction|disponibilites|nouveau]."""
    _require_may_create(turn)
    words = fold(turn.args)
    if not words:
        await turn.send_card(build_new_card(turn.t, _templates_for(turn)))
        return
    template = _template_named(words)
    if template is None:
        await turn.say("polls.usage")
        return
    if template not in _templates_for(turn):
        raise DomainError("polls.errors.template_animateurs")
    draft = await _start_draft(turn, template)
    await turn.send_card(_draft_card(turn, draft, notice=_ready_notice(turn.t, template)))


async def list_polls(turn: Turn) -> None:
    """``sondages``: open and recent polls."""
    if turn.args.strip():
        await turn.say("polls.list_usage")
        return
    await turn.send_card(await _list_card(turn))


async def _list_card(turn: Turn) -> dict[str, Any]:
    services = turn.services
    repo = poll_repository(services)
    now = services.clock()
    key = turn.caller.member_key
    polls = await repo.all()
    answered = {b.poll_id for b in await repo.ballots_of(key)}
    answered |= set(await repo.participations_of(key))
    manages_any = any(_manages(turn, p) for p in polls)
    counts = await repo.answer_counts() if manages_any else {}

    def visible(poll: Poll) -> bool:
        if poll.status == "draft":
            return False
        return _manages(turn, poll) or rules.in_audience(poll, key, poll.audience == "channel")

    shown = [p for p in polls if visible(p)]
    opened = sorted((p for p in shown if rules.is_open(p, now)), key=lambda p: p.deadline)
    closed = [
        p
        for p in shown
        if not rules.is_open(p, now) and (parse_iso(p.closed_at) or p.deadline_at) >= now - RECENT
    ]
    closed.sort(key=lambda p: p.closed_at or p.deadline, reverse=True)
    listed = [
        ListedPoll(
            poll_id=p.id,
            title=p.title,
            is_open=rules.is_open(p, now),
            deadline=p.deadline_at,
            closed_at=parse_iso(p.closed_at),
            answered=p.id in answered,
            answers=counts.get(p.id, 0) if _manages(turn, p) else None,
        )
        for p in [*opened, *closed][:MAX_LISTED]
    ]
    may_create = _may_create(turn)
    drafts = [
        (p.id, p.title) for p in polls if p.status == "draft" and may_create and _manages(turn, p)
    ]
    return build_list_card(listed, drafts, can_create=may_create, tz=services.timezone, t=turn.t)


# ---- drafts (animateurs; members on their own, when allowed) ---------------------------------


def _ready_notice(t: Translator, template: str) -> str:
    return "" if template == "custom" else t("polls.draft.ready")


def _draft_card(turn: Turn, draft: Poll, *, problems: Any = (), notice: str = "") -> dict[str, Any]:
    return draft_card(
        turn.services,
        draft,
        turn.t,
        shared=place_of(turn).shared,
        problems=problems,
        notice=notice,
    )


async def _meeting(
    services: Services, meeting_id: str
) -> tuple[MeetingInfo | None, tuple[str, ...]]:
    """The meeting a satisfaction survey is about (meetings feature), if it can be found."""
    try:
        found = await meetings.get(services, meeting_id)
    except Exception:  # another feature's failure must not stop the survey
        logger.exception("meeting %s lookup failed", meeting_id)
        return None, ()
    if found is None:
        return None, ()
    return MeetingInfo(found.title, found.starts_at), found.committee_ids


async def _outcomes_inputs(
    services: Services, t: Translator, cycle: cycles.Cycle
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The community's objectives (in ``t``'s language) and the titles of the topics treated
    during the cycle in force, most recent first (none when the topic bank cannot be read)."""
    profile = services.profile.current
    objectives = tuple(o.get(t.locale) for o in profile.objectives)
    start, end = cycle.of(services.now().date()).bounds(services.timezone)
    try:
        found = await topics.treated_between(services, start, end)
    except Exception:  # another feature's failure must not stop the survey
        logger.exception("treated topics lookup failed")
        found = []
    return objectives, tuple(topic.title for topic in found)


async def _start_draft(
    turn: Turn,
    template: str,
    meeting_id: str = "",
    meeting: MeetingInfo | None = None,
    meeting_committees: tuple[str, ...] = (),
) -> Poll:
    services = turn.services
    cycle = cycles.of_community(services.profile.current)
    objectives: tuple[str, ...] = ()
    treated: tuple[str, ...] = ()
    if template == "outcomes":
        objectives, treated = await _outcomes_inputs(services, turn.t, cycle)
    start = blueprint(template, turn.t, services.now(), meeting, cycle, objectives, treated)
    draft = await new_draft(turn, start, meeting_id, meeting_committees)
    logger.info("poll draft %s (%s) started by %s", draft.id, template, turn.caller.member_key)
    return draft


async def new_draft(
    turn: Turn,
    start: Blueprint,
    meeting_id: str = "",
    meeting_committees: tuple[str, ...] = (),
) -> Poll:
    """A new draft from ``start``, stored, by the caller and in their language: for the channel
    in a team chat; in a 1:1 chat for the members, or for the meeting's committee when the
    meeting has exactly one (still configured)."""
    services = turn.services
    place = place_of(turn)
    audience, committee = "members", ""
    if place.shared:
        audience = "channel"
    elif len(meeting_committees) == 1 and meeting_committees[0] in committee_ids(services):
        audience, committee = "committee", meeting_committees[0]
    draft = Poll(
        id=new_id(),
        kind=start.kind,
        title=start.title,
        questions=start.questions,
        status="draft",
        anonymous=start.anonymous,
        visibility=start.visibility,
        audience=audience,
        committee_id=committee,
        deadline=iso(start.deadline),
        created_by=turn.caller.member_key,
        created_at=iso(services.clock()),
        locale=turn.t.locale,
        meeting_id=meeting_id,
    )
    await poll_repository(services).save(draft)
    return draft


async def _apply_settings(turn: Turn, draft: Poll, data: Mapping[str, Any]) -> Poll:
    """Keep what the draft card's inputs say (they come with every action of that card).
    Values no card can send are refused; the rest is checked when publishing."""
    changes: dict[str, Any] = {}
    if "title" in data:
        changes["title"] = _text(data, "title").strip()[: rules.MAX_TITLE * 2]
    if "anonymous" in data:
        value = _text(data, "anonymous")
        if value not in ("true", "false"):
            raise DomainError(BAD_DATA)
        changes["anonymous"] = value == "true"
    if "visibility" in data:
        value = _text(data, "visibility")
        if value not in rules.VISIBILITIES:
            raise DomainError(BAD_DATA)
        changes["visibility"] = value
    if "audience" in data:
        parsed = rules.parse_audience(_text(data, "audience"), committee_ids(turn.services))
        if parsed is None:
            raise DomainError(BAD_DATA)
        changes["audience"], changes["committee_id"] = parsed
    if "deadline_date" in data or "deadline_time" in data:
        moment = rules.parse_deadline(
            _text(data, "deadline_date"), _text(data, "deadline_time"), turn.services.timezone
        )
        changes["deadline"] = iso(moment) if moment else ""
    updated = replace(draft, **changes)
    if updated != draft:
        await poll_repository(turn.services).save(updated)
    return updated


async def new(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    _require_may_create(turn)
    return CardReply(build_new_card(turn.t, _templates_for(turn)))


async def post_template(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    """A blank poll or a ready-made survey, ready to post. The meetings feature sends
    ``{"template": "satisfaction", "meeting_id": …}`` after a meeting (animateurs only)."""
    _require_may_create(turn)
    template = _text(data, "template")
    meeting_id = _text(data, "meeting_id").strip()
    if template not in TEMPLATES or len(meeting_id) > 200:
        raise DomainError(BAD_DATA)
    if not turn.caller.is_animateur and (template not in _templates_for(turn) or meeting_id):
        raise DomainError("polls.errors.template_animateurs")
    meeting, committees = await _meeting(turn.services, meeting_id) if meeting_id else (None, ())
    draft = await _start_draft(turn, template, meeting_id, meeting, committees)
    return CardReply(_draft_card(turn, draft, notice=_ready_notice(turn.t, template)))


async def open_draft(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    return CardReply(_draft_card(turn, await _own_draft(turn, data)))


async def add_question(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    draft = await _apply_settings(turn, await _own_draft(turn, data), data)
    kind = _text(data, "kind")
    if kind not in rules.QUESTION_KINDS:
        raise DomainError(BAD_DATA)
    if len(draft.questions) >= rules.MAX_QUESTIONS:
        problem = rules.Problem("too_many_questions", limit=rules.MAX_QUESTIONS)
        return CardReply(_draft_card(turn, draft, problems=[problem]))
    view = QuestionFormView(draft.id, kind, "", required=kind != "text")
    return CardReply(build_question_card(view, turn.t))


def _question_form(draft: Poll, question: Question) -> QuestionFormView:
    return QuestionFormView(
        draft_id=draft.id,
        kind=question.kind,
        question_id=question.id,
        label=question.label,
        choices_text="\n".join(c.label for c in question.choices),
        max_choices=question.max_choices,
        low_label=question.low_label,
        high_label=question.high_label,
        required=question.required,
    )


async def edit_question(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    draft = await _apply_settings(turn, await _own_draft(turn, data), data)
    question = draft.question(_text(data, "question_id"))
    if question is None:
        raise DomainError(BAD_DATA)
    return CardReply(build_question_card(_question_form(draft, question), turn.t))


def _keep_exclusive(question: Question, before: Question | None) -> Question:
    """Editing keeps a « none of these » choice (« Disponibilités ») by its label."""
    if before is None:
        return question
    exclusive = {c.label.casefold() for c in before.choices if c.exclusive}
    choices = tuple(
        Choice(c.id, c.label, c.label.casefold() in exclusive) for c in question.choices
    )
    return replace(question, choices=choices)


def _with_question(draft: Poll, question: Question, before: Question | None) -> Poll:
    if before is None:
        return replace(draft, questions=(*draft.questions, question))
    return replace(
        draft, questions=tuple(question if q.id == before.id else q for q in draft.questions)
    )


async def save_question(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    draft = await _own_draft(turn, data)
    kind = _text(data, "kind")
    question_id = _text(data, "question_id")
    before = draft.question(question_id) if question_id else None
    if kind not in rules.QUESTION_KINDS or (
        question_id and (before is None or before.kind != kind)
    ):
        raise DomainError(BAD_DATA)
    required_text = _text(data, "required") or "true"
    if required_text not in ("true", "false"):
        raise DomainError(BAD_DATA)
    label = _text(data, "label")
    choices_text = _text(data, "choices")
    max_text = _number_text(data, "max_choices")
    low_label = _text(data, "low_label")
    high_label = _text(data, "high_label")
    required = required_text == "true"
    new_id_ = question_id or rules.next_question_id(draft.questions)
    question, problems = rules.build_question(
        new_id_,
        kind,
        label,
        choices_text=choices_text,
        max_text=max_text,
        low_label=low_label,
        high_label=high_label,
        required=required,
    )
    if question is not None:
        question = _keep_exclusive(question, before)
        problems = rules.question_problems(question)
    if before is None and len(draft.questions) >= rules.MAX_QUESTIONS:
        problems = [*problems, rules.Problem("too_many_questions", limit=rules.MAX_QUESTIONS)]
    if question is not None and not problems:
        updated = _with_question(draft, question, before)
        if not fits_in_a_card(turn.services, updated, translator(draft.locale)):
            problems = [rules.Problem("too_long")]
    if question is None or problems:
        view = QuestionFormView(
            draft_id=draft.id,
            kind=kind,
            question_id=question_id,
            label=label,
            choices_text=choices_text,
            max_choices=int(max_text) if max_text.isdigit() else 0,
            low_label=low_label,
            high_label=high_label,
            required=required,
            problems=problems,
        )
        return CardReply(build_question_card(view, turn.t))
    draft = _with_question(draft, question, before)
    await poll_repository(turn.services).save(draft)
    return CardReply(_draft_card(turn, draft, notice=turn.t("polls.draft.question_saved")))


async def remove_question(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    draft = await _apply_settings(turn, await _own_draft(turn, data), data)
    question_id = _text(data, "question_id")
    if draft.question(question_id) is None:
        raise DomainError(BAD_DATA)
    draft = replace(draft, questions=tuple(q for q in draft.questions if q.id != question_id))
    await poll_repository(turn.services).save(draft)
    return CardReply(_draft_card(turn, draft, notice=turn.t("polls.draft.question_removed")))


async def discard(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    draft = await _own_draft(turn, data)
    await poll_repository(turn.services).delete(draft.id)
    logger.info("poll draft %s discarded by %s", draft.id, turn.caller.member_key)
    card = build_message_card(turn.t, turn.t("polls.draft.discarded"))
    if place_of(turn).shared and _reply_to(turn):
        await turn.update_card(_reply_to(turn), card)
    return CardReply(card)


async def publish(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    services = turn.services
    repo = poll_repository(services)
    draft = await _apply_settings(turn, await _own_draft(turn, data), data)
    place = place_of(turn)
    now = services.clock()
    problems = rules.publish_problems(draft, now, committee_ids(services), place.shared)
    members = None
    if not problems:
        members = await audience_members(services, draft.audience, draft.committee_id)
        if draft.audience != "channel" and not members:
            code = "audience_unknown" if members is None else "audience_empty"
            problems = [rules.Problem(code)]
    if not problems and not fits_in_a_card(services, draft, translator(draft.locale)):
        problems = [rules.Problem("too_long")]
    if problems:
        return CardReply(_draft_card(turn, draft, problems=problems))
    audience = list(members or [])
    poll = replace(
        draft,
        status="open",
        published_at=iso(now),
        conversation_key=place.key,
        conversation_id=place.conversation_id,
        shared_conversation=place.shared,
        audience_keys=tuple(m.key for m in audience),
    )
    await repo.save(poll)
    everyone = await _shared_card(services, poll)
    message_id = _reply_to(turn)
    if not message_id or not await turn.update_card(message_id, everyone):
        message_id = await turn.send_card(everyone) or ""
    poll = replace(poll, message_id=message_id)
    await repo.save(poll)
    sent = 0
    if poll.audience != "channel":
        sent = await _send_privately(services, poll, audience, skip=turn.caller.member_key)
    schedule_jobs(services, poll)
    logger.info(
        "poll %s published by %s (%s, %d in audience, %d sent 1:1)",
        poll.id,
        turn.caller.member_key,
        poll.audience,
        len(audience),
        sent,
    )
    t = turn.t
    notice = t.plural("polls.published_private", sent) if sent else t("polls.published")
    card = await poll_card(
        services, poll, t, _viewer(turn, poll), notice=notice, notice_style="good"
    )
    return _personal_reply(turn, card, notice)


async def _shared_card(services: Services, poll: Poll, notice: str = "") -> dict[str, Any]:
    """The card everyone sees in the poll's conversation, in the poll's language."""
    refresh = await teams_ids(services, [poll.created_by, *poll.audience_keys])
    return await poll_card(
        services, poll, translator(poll.locale), notice=notice, refresh_ids=refresh
    )


async def _send_privately(services: Services, poll: Poll, audience: list[Any], *, skip: str) -> int:
    items: list[OutboxItem] = []
    for member in audience:
        if member.key == skip or not member.teams_user_id:
            continue
        t = translator(member.locale or poll.locale)
        viewer = Viewer(member.key, member.teams_user_id, is_manager=False)
        card = await poll_card(services, poll, t, viewer)
        activity = card_activity(card, summary=t("polls.new_poll_summary", title=poll.title))
        items.append(
            direct(
                member, f"poll:{poll.id}:post:{member.key}", activity, batch=f"poll:{poll.id}:post"
            )
        )
    if items:
        await services.messenger.enqueue(items)
    return len(items)


# ---- answering (members) ---------------------------------------------------------------------


def _entered(poll: Poll, data: Mapping[str, Any]) -> dict[str, Any]:
    return {q.id: data[q.id] for q in poll.questions if isinstance(data.get(q.id), str)}


def _findings(poll: Poll, answers: Mapping[str, Any]) -> dict[str, list[Finding]]:
    found: dict[str, list[Finding]] = {}
    for question in poll.questions:
        if question.kind == "text" and question.id in answers:
            hits = find_identifiers(str(answers[question.id]))
            if hits:
                found[question.id] = hits
    return found


def _review(
    turn: Turn, poll: Poll, answers: Mapping[str, Any], found: Mapping[str, list[Finding]]
) -> ActionResult:
    carried = {
        qid: ",".join(value) if isinstance(value, list) else str(value)
        for qid, value in answers.items()
        if qid not in found
    }
    texts: list[tuple[str, str, str]] = []
    findings: list[tuple[str, str]] = []
    for question in poll.questions:
        if question.id in found:
            text = str(answers[question.id])
            texts.append((question.id, question.label, redact(text, found[question.id])))
            findings.extend((f.kind, f.text) for f in found[question.id])
    view = ReviewView(poll.id, poll.title, findings, texts, carried)
    logger.info("poll %s: free text held back (%d findings)", poll.id, len(findings))
    return _personal_reply(turn, build_review_card(view, turn.t), turn.t("polls.review.in_words"))


async def answer(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    services = turn.services
    repo = poll_repository(services)
    poll = await _poll(turn, data)
    viewer = _viewer(turn, poll)
    now = services.clock()
    if not rules.is_open(poll, now):
        raise DomainError("polls.errors.closed")
    if not rules.in_audience(poll, viewer.member_key, viewer.in_conversation):
        raise DomainError("polls.errors.not_in_audience")
    answers, problems = rules.parse_ballot(poll, data)
    t = turn.t
    if any(p.code == rules.TAMPERED for p in problems):
        logger.info("poll %s: refused card data", poll.id)
        raise DomainError("polls.errors.tampered")
    if problems:
        card = await poll_card(
            services,
            poll,
            t,
            viewer,
            problems=problems,
            form_values=_entered(poll, data),
            show_form=True,
        )
        words = " ".join(problem_text(p, t) for p in problems)
        return _personal_reply(turn, card, t("polls.errors.fix_answer", problems=words))
    found = _findings(poll, answers)
    if found:
        return _review(turn, poll, answers, found)
    shown = None
    if poll.anonymous:
        recorded = await repo.record_anonymous(poll.id, viewer.member_key, answers)
        key = "polls.answer.recorded" if recorded else "polls.answer.already"
        shown = answers if recorded else None
        # No member key here: a log line must not tie a person to an anonymous answer.
        logger.info("poll %s: anonymous answer %s", poll.id, "recorded" if recorded else "refused")
    else:
        outcome = await repo.record_named(
            poll.id, viewer.member_key, turn.caller.name, answers, now
        )
        key = f"polls.answer.{outcome}"
        logger.info("poll %s: answer %s by %s", poll.id, outcome, viewer.member_key)
    card = await poll_card(
        services, poll, t, viewer, notice=t(key), notice_style="good", shown_answer=shown
    )
    return _personal_reply(turn, card, t(key))


async def change_answer(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    poll = await _poll(turn, data)
    if poll.anonymous:
        raise DomainError("polls.errors.anonymous_final")
    if not rules.is_open(poll, turn.services.clock()):
        raise DomainError("polls.errors.closed")
    viewer = _viewer(turn, poll)
    if not rules.in_audience(poll, viewer.member_key, viewer.in_conversation):
        raise DomainError("polls.errors.not_in_audience")
    card = await poll_card(turn.services, poll, turn.t, viewer, show_form=True)
    return _personal_reply(turn, card, turn.t("polls.errors.use_new_client"))


async def view(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    """Open a poll (from the list), or refresh its card for this person."""
    poll = await _poll(turn, data)
    card = await poll_card(turn.services, poll, turn.t, _viewer(turn, poll))
    return _personal_reply(turn, card, turn.t("polls.errors.use_new_client"))


async def show_list(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    return CardReply(await _list_card(turn))


# ---- managing (animateurs, and the poll's creator) --------------------------------------------


async def _update_in_place(turn: Turn, poll: Poll) -> bool:
    """When a manager acts from the poll's own card, everyone's card changes too."""
    reply_to = _reply_to(turn)
    if not reply_to or reply_to != poll.message_id or not in_poll_conversation(turn, poll):
        return False
    return await turn.update_card(reply_to, await _shared_card(turn.services, poll))


async def _manager_reply(turn: Turn, poll: Poll, notice: str, **extra: Any) -> ActionResult:
    card = await poll_card(
        turn.services,
        poll,
        turn.t,
        _viewer(turn, poll),
        notice=notice,
        notice_style="good",
        **extra,
    )
    return _personal_reply(turn, card, notice)


async def close(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    services = turn.services
    poll = await _managed_poll(turn, data)
    if poll.status != "open":
        raise DomainError("polls.errors.already_closed")
    closed = replace(poll, status="closed", closed_at=iso(services.clock()))
    await poll_repository(services).save(closed)
    cancel_jobs(services, poll.id)
    if await _update_in_place(turn, closed):
        closed = replace(closed, results_posted=True)
        await poll_repository(services).save(closed)
    else:
        await post_results(services, closed)
    logger.info("poll %s closed early by %s", poll.id, turn.caller.member_key)
    return await _manager_reply(turn, closed, turn.t("polls.manage.closed"))


async def _new_deadline(
    turn: Turn, poll: Poll, data: Mapping[str, Any], reopen: bool
) -> ActionResult:
    services = turn.services
    moment = rules.parse_deadline(
        _text(data, "new_deadline_date"), _text(data, "new_deadline_time"), services.timezone
    )
    problems = rules.deadline_problems(moment, services.clock())
    if problems or moment is None:
        card = await poll_card(services, poll, turn.t, _viewer(turn, poll), problems=problems)
        words = " ".join(problem_text(p, turn.t) for p in problems)
        return _personal_reply(turn, card, words)
    updated = replace(poll, status="open", deadline=iso(moment), closed_at="", results_posted=False)
    await poll_repository(services).save(updated)
    schedule_jobs(services, updated)
    if not await _update_in_place(turn, updated):
        update = await shared_card_update(services, updated)
        if update is not None:
            await services.messenger.enqueue([update])
    when = format_moment(moment, turn.t, services.timezone)
    key = "polls.manage.reopened" if reopen else "polls.manage.extended"
    logger.info("poll %s: new deadline set by %s", poll.id, turn.caller.member_key)
    return await _manager_reply(turn, updated, turn.t(key, deadline=when))


async def extend(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    poll = await _managed_poll(turn, data)
    if poll.status != "open":
        raise DomainError("polls.errors.already_closed")
    return await _new_deadline(turn, poll, data, reopen=False)


async def reopen(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    poll = await _managed_poll(turn, data)
    if poll.status != "closed":
        raise DomainError("polls.errors.still_open")
    return await _new_deadline(turn, poll, data, reopen=True)


async def export(turn: Turn, data: Mapping[str, Any]) -> ActionResult:
    """CSV: one line per person for a named poll, counts only for an anonymous one."""
    services = turn.services
    poll = await _managed_poll(turn, data)
    t = turn.t
    if poll.anonymous:
        results = await results_of(services, poll)
        if results.hidden:
            raise DomainError("polls.errors.export_hidden", threshold=threshold(services))
        content = aggregate_csv(results, t)
    else:
        ballots = await poll_repository(services).ballots(poll.id)
        content = named_csv(poll.questions, ballots, t, services.timezone)
    url = await services.downloads.publish(
        content,
        f"{t('polls.csv.filename')}-{poll.id}.csv",
        "text/csv",
        owner_key=turn.caller.member_key,
    )
    logger.info("poll %s exported by %s", poll.id, turn.caller.member_key)
    return await _manager_reply(turn, poll, t("polls.manage.exported"), download_url=url)
