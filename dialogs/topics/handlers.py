"""Handlers of the topic bank: propose, support, browse, curate.

Every text is screened by the de-identification guard before it is stored; nothing of a refused
text reaches storage or the logs. Logs carry ids and codes only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from cards.i18n import SUPPORTED_LOCALES, Translator, fold
from cards.topics import (
    BankView,
    Choice,
    TopicDetail,
    TopicForm,
    TopicVerb,
    build_bank_card,
    build_topic_detail_card,
    build_topic_form_card,
)
from dialogs.feature import feature_hooks
from dialogs.topics import meetings, rules
from dialogs.topics.board import board_card, boards_changed, publish
from dialogs.topics.guard import checked, known_names, new_id, refusal, with_carried
from dialogs.topics.jobs import return_past_items, sweep_job
from dialogs.topics.repositories import case_repository, topic_repository
from dialogs.topics.views import (
    case_line,
    format_date,
    iso,
    meeting_choices,
    meeting_labels,
    topic_line,
)
from dialogs.turn import CardReply, DomainError, Services, Turn
from storage.topic_repository import Topic

logger = logging.getLogger(__name__)

PAGE_SIZE = 8


class RankedBank:
    """The bank filtered and ranked, kept between listings while no topic changed.

    Ranking sorts every topic (support, date, folded title): with thousands of topics that is
    most of a ``sujets`` turn. The store hands back the same immutable ``Topic`` objects until a
    topic changes (storage/store.py ``parsed_all``), so the identities of the listed objects tell
    whether the last ranking still holds. Each entry keeps the listed objects alive, so no other
    object can take one of their identities while it is compared."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], tuple[list[Topic], list[Topic]]] = {}

    def ranked(self, topics: list[Topic], kind: str, status: str) -> list[Topic]:
        found = self._entries.get((kind, status))
        if (
            found is not None
            and len(found[0]) == len(topics)
            and all(a is b for a, b in zip(found[0], topics, strict=True))
        ):
            return found[1]
        chosen = rules.ranked(rules.filtered(topics, kind, status))
        self._entries[(kind, status)] = (list(topics), chosen)
        return chosen


def ranked_bank(services: Services) -> RankedBank:
    return services.component("topics.ranked", lambda _: RankedBank())


MERGE_CHOICES = 25
_MULTILINE = ("description",)
_MAX_LENGTHS = {
    "title": rules.TITLE_MAX,
    "description": rules.DESCRIPTION_MAX,
    "presenter": rules.PRESENTER_MAX,
}


# ---- reading ---------------------------------------------------------------------------------


async def _topic(turn: Turn, data: Mapping[str, Any]) -> Topic:
    """The topic the card names (following a merge to the topic it went into)."""
    topic_id = checked(lambda: rules.id_field(data, "topic_id"))
    repository = topic_repository(turn.services)
    topic = await repository.get(topic_id)
    if topic is not None and topic.status == rules.MERGED and topic.merged_into:
        topic = await repository.get(topic.merged_into)
    if topic is None:
        raise DomainError("topics.errors.not_found")
    return topic


async def attached_resources(services: Services, topic_id: str) -> tuple[tuple[str, str], ...]:
    """(title, url) of the resources a feature above attached to the topic, through its
    ``topic_resources`` hook (the library; dialogs/events.py). A failing hook shows none."""
    found: list[tuple[str, str]] = []
    try:
        for hook in feature_hooks(services, "topic_resources"):
            for item in await hook(services, topic_id):
                title = str(getattr(item, "title", "") or "")
                url = str(getattr(item, "url", "") or "")
                if title and url.startswith("https://"):
                    found.append((title, url))
    except Exception:  # the topic's card shows even when another feature fails
        logger.exception("topic resources lookup failed for topic %s", topic_id)
        return ()
    return tuple(found)


async def detail_card(turn: Turn, topic: Topic, notice: str = "") -> dict[str, Any]:
    services, t = turn.services, turn.t
    is_animateur = turn.caller.is_animateur
    active = topic.status in rules.ACTIVE
    labels = await meeting_labels(services, [topic.meeting_id], t)
    choices: tuple[Choice, ...] = ()
    targets: tuple[Choice, ...] = ()
    if is_animateur and active:
        choices = await meeting_choices(services, t)
        others = rules.filtered(await topic_repository(services).all(), "", "active")
        targets = tuple(
            Choice(other.title, other.id) for other in rules.ranked(others) if other.id != topic.id
        )[:MERGE_CHOICES]
    view = TopicDetail(
        line=topic_line(topic, turn.caller.member_key, labels),
        description=topic.description,
        presenter=topic.presenter,
        proposer=topic.proposer_name,
        created=format_date(topic.created_at, services, t),
        notice=notice,
        can_edit=rules.can_edit(topic, turn.caller.member_key, is_animateur),
        can_withdraw=rules.can_withdraw(topic, turn.caller.member_key),
        is_animateur=is_animateur,
        meetings=choices,
        merge_targets=targets,
        resources=await attached_resources(services, topic.id),
    )
    return build_topic_detail_card(view, t)


async def bank_card(
    turn: Turn, kind: str = "", status: str = "active", page: int = 0, notice: str = ""
) -> dict[str, Any]:
    services, t = turn.services, turn.t
    await return_past_items(services, services.clock())
    topics = await topic_repository(services).all()
    chosen = ranked_bank(services).ranked(list(topics), kind, status)
    shown, page, pages = rules.page_of(chosen, page, PAGE_SIZE)
    public_cases = [c for c in await case_repository(services).all() if c.status == rules.SCHEDULED]
    labels = await meeting_labels(
        services, [x.meeting_id for x in shown] + [c.meeting_id for c in public_cases], t
    )
    view = BankView(
        lines=tuple(topic_line(topic, turn.caller.member_key, labels) for topic in shown),
        kind=kind,
        status=status,
        page=page,
        pages=pages,
        total=len(chosen),
        is_animateur=turn.caller.is_animateur,
        cases=tuple(
            case_line(c, services, t, labels, show_submitter=False)
            for c in rules.queue_order(public_cases)
        ),
        notice=notice,
    )
    return build_bank_card(view, t)


def _bank_filters(data: Mapping[str, Any]) -> tuple[str, str, int]:
    kind = data.get("kind_filter", "")
    kind = "" if kind == "all" else kind
    status = data.get("status_filter", "active") or "active"
    page = data.get("page", 0)
    if isinstance(page, str) and page.isdigit():
        page = int(page)
    valid = (
        kind in ("", *rules.KINDS)
        and status in rules.STATUS_FILTERS
        and isinstance(page, int)
        and not isinstance(page, bool)
        and 0 <= page < 1000
    )
    if not valid:
        raise DomainError("errors.bad_card_data")
    return str(kind), str(status), int(page)


def _kind_from_words(words: str) -> str | None:
    """``sujets formatif`` / ``topics training``: the kind named by its word (any language)."""
    wanted = fold(words)
    for kind in rules.KINDS:
        names = {fold(Translator(loc)(f"topics.kind.{kind}.word")) for loc in SUPPORTED_LOCALES}
        if wanted in names | {kind}:
            return kind
    return None


# ---- commands --------------------------------------------------------------------------------


async def propose(turn: Turn) -> None:
    """``sujet <titre>``: the proposal form, with the title typed and the similar topics found."""
    title = " ".join(turn.args.split())[: rules.TITLE_MAX]
    similar: list[Topic] = []
    if title:
        similar = rules.similar_topics(title, await topic_repository(turn.services).all())
    form = TopicForm(
        topic_id="",
        title=title,
        similar=tuple(topic_line(s, turn.caller.member_key, {}) for s in similar),
        seen=tuple(s.id for s in similar),
    )
    await turn.send_card(build_topic_form_card(form, turn.t))


async def show_bank(turn: Turn) -> None:
    """``sujets [volet]``: the bank, ranked by support."""
    kind = ""
    if turn.args:
        found = _kind_from_words(turn.args)
        if found is None:
            words = ", ".join(turn.t(f"topics.kind.{k}.word") for k in rules.KINDS)
            raise DomainError("topics.errors.unknown_filter", words=words)
        kind = found
    await turn.send_card(await bank_card(turn, kind=kind))


async def post_board(turn: Turn) -> None:
    """``publier sujets`` (animateurs): the top topics, posted here and kept up to date."""
    await publish(turn)


# ---- actions: proposing ----------------------------------------------------------------------


async def new_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return CardReply(build_topic_form_card(TopicForm(topic_id=""), turn.t))


async def submit(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """The proposal (or edit) form: check, screen, look for similar topics, then save."""
    data = with_carried(data)
    topic_id = checked(lambda: rules.id_field(data, "topic_id", required=False))
    seen = checked(lambda: rules.id_list_field(data, "seen"))
    draft, problem = checked(lambda: rules.topic_draft(data))
    repository = topic_repository(turn.services)
    existing = await _topic(turn, data) if topic_id else None
    if existing is not None and not rules.can_edit(
        existing, turn.caller.member_key, turn.caller.is_animateur
    ):
        raise DomainError("topics.errors.not_yours")

    def form(**changes: Any) -> CardReply:
        values: dict[str, Any] = {
            "topic_id": topic_id,
            "title": draft.title,
            "description": draft.description,
            "kind": draft.kind,
            "presenter": draft.presenter,
            "seen": seen,
            **changes,
        }
        return CardReply(build_topic_form_card(TopicForm(**values), turn.t))

    if problem:
        return form(problem=problem)
    screened = rules.screen(draft.texts(), await known_names(turn), names_allowed=("presenter",))
    if screened:
        return refusal(
            turn,
            draft.texts(),
            screened,
            submit_verb=TopicVerb.submit,
            cancel_verb=TopicVerb.bank,
            carried={"topic_id": topic_id, "kind": draft.kind, "seen": list(seen)},
            multiline=_MULTILINE,
            max_lengths=_MAX_LENGTHS,
            label_prefix="topics.field",
        )
    at = iso(turn.services.clock())
    if existing is not None:
        result = await repository.update(existing.id, lambda t: rules.edited(t, draft, at))
        if result is None:
            raise DomainError("topics.errors.not_found")
        logger.info("topic %s edited by %s", existing.id, turn.caller.member_key)
        await boards_changed(turn)
        return CardReply(await detail_card(turn, result.after, "saved"))
    similar = rules.similar_topics(draft.title, await repository.all(), exclude=seen)
    if similar:
        lines = tuple(topic_line(s, turn.caller.member_key, {}) for s in similar)
        return form(similar=lines, seen=(*seen, *(s.id for s in similar)))
    topic = rules.new_topic(draft, new_id(), turn.caller.member_key, turn.caller.name, at)
    await repository.add(topic)
    logger.info("topic %s proposed by %s", topic.id, turn.caller.member_key)
    await boards_changed(turn)
    return CardReply(await detail_card(turn, topic, "proposed"))


# ---- actions: supporting and browsing --------------------------------------------------------


async def support(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """Set (not flip) the caller's support: the card says which way, so a double click or a
    redelivered click lands on the same state and counts once."""
    on = checked(lambda: rules.flag_field(data, "on"))
    view = data.get("view", "detail")
    if view not in ("bank", "detail", "board", "similar"):
        raise DomainError("errors.bad_card_data")
    topic = await _topic(turn, data)
    if not rules.can_support(topic):
        raise DomainError("topics.errors.closed")
    key = turn.caller.member_key
    result = await topic_repository(turn.services).update(
        topic.id, lambda t: rules.with_support(t, key, on) if rules.can_support(t) else None
    )
    if result is None:
        raise DomainError("topics.errors.not_found")
    if result.changed:
        logger.info("topic %s support %s by %s", topic.id, "on" if on else "off", key)
        await boards_changed(turn)
    if view == "board":
        return CardReply(await board_card(turn.services, turn.t, key))
    if view == "bank":
        kind, status, page = _bank_filters(data)
        return CardReply(await bank_card(turn, kind, status, page))
    notice = ("supported_instead" if view == "similar" else "supported") if on else "unsupported"
    return CardReply(await detail_card(turn, result.after, notice))


async def bank_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    kind, status, page = _bank_filters(data)
    return CardReply(await bank_card(turn, kind, status, page))


async def detail_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    await return_past_items(turn.services, turn.services.clock())
    return CardReply(await detail_card(turn, await _topic(turn, data)))


async def edit_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    topic = await _topic(turn, data)
    if not rules.can_edit(topic, turn.caller.member_key, turn.caller.is_animateur):
        raise DomainError("topics.errors.not_yours")
    form = TopicForm(
        topic_id=topic.id,
        title=topic.title,
        description=topic.description,
        kind=topic.kind,
        presenter=topic.presenter,
    )
    return CardReply(build_topic_form_card(form, turn.t))


async def withdraw_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    topic = await _topic(turn, data)
    if topic.proposer_key != turn.caller.member_key:
        raise DomainError("topics.errors.not_yours")
    if not rules.can_withdraw(topic, turn.caller.member_key):
        raise DomainError("topics.errors.withdraw_scheduled")
    await topic_repository(turn.services).delete(topic.id)
    logger.info("topic %s withdrawn by its proposer", topic.id)
    await boards_changed(turn)
    return CardReply(await bank_card(turn, notice="withdrawn"))


# ---- actions: curating (animateurs) ----------------------------------------------------------


async def _transition(
    turn: Turn,
    data: Mapping[str, Any],
    change: Callable[[Topic, str], Topic | None],
    target: str,
    notice: str,
) -> CardReply:
    topic = await _topic(turn, data)
    at = iso(turn.services.clock())
    result = await topic_repository(turn.services).update(topic.id, lambda t: change(t, at))
    if result is None:
        raise DomainError("topics.errors.not_found")
    if result.after.status != target:
        raise DomainError("topics.errors.not_allowed")
    if result.changed:
        logger.info("topic %s is now %s", topic.id, target)
        await boards_changed(turn)
        if topic.meeting_id != result.after.meeting_id or target == rules.TREATED:
            await meetings.refresh_agendas(turn.services, topic.meeting_id, result.after.meeting_id)
    return CardReply(await detail_card(turn, result.after, notice))


async def chosen_meeting(turn: Turn, data: Mapping[str, Any]) -> rules.MeetingLike:
    """The planned meeting a topic or case is being put on (card data is untrusted)."""
    meeting_id = checked(lambda: rules.id_field(data, "meeting"))
    meeting = await meetings.get(turn.services, meeting_id)
    if meeting is None or not rules.schedulable(meeting, turn.services.clock()):
        raise DomainError("topics.errors.meeting_unavailable")
    return meeting


def plan_return_to_bank(turn: Turn, meeting: rules.MeetingLike) -> None:
    """Untreated items go back to the bank when the meeting ends."""
    turn.services.jobs.schedule(sweep_job(turn.services, meeting.id, meeting.ends_at))


async def schedule_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    meeting = await chosen_meeting(turn, data)
    reply = await _transition(
        turn,
        data,
        lambda t, at: rules.scheduled(t, meeting.id, at),
        rules.SCHEDULED,
        "scheduled",
    )
    plan_return_to_bank(turn, meeting)
    return reply


async def unschedule_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return await _transition(turn, data, rules.back_to_bank, rules.OPEN, "unscheduled")


async def treated_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return await _transition(turn, data, rules.treated, rules.TREATED, "treated")


async def archive_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return await _transition(turn, data, rules.archived, rules.ARCHIVED, "archived")


async def reopen_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return await _transition(turn, data, rules.reopened, rules.OPEN, "reopened")


async def merge_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """Merge this topic into the chosen one: supporters are united, each member once."""
    target_id = checked(lambda: rules.id_field(data, "merge_into"))
    source_id = checked(lambda: rules.id_field(data, "topic_id"))
    repository = topic_repository(turn.services)
    source = await repository.get(source_id)
    if source is None or await repository.get(target_id) is None:
        raise DomainError("topics.errors.not_found")
    if source_id == target_id:
        raise DomainError("topics.errors.merge_self")
    if source.status == rules.MERGED and source.merged_into == target_id:
        target = await repository.get(target_id)  # a second click: already done
        if target is not None:
            return CardReply(await detail_card(turn, target, "merged"))
    at = iso(turn.services.clock())
    result = await repository.update_pair(source_id, target_id, lambda s, t: rules.merged(s, t, at))
    if result is None:
        raise DomainError("topics.errors.not_allowed")
    logger.info("topic %s merged into %s", source_id, target_id)
    await boards_changed(turn)
    return CardReply(await detail_card(turn, result[1], "merged"))
