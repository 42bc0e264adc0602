"""What other features may ask the topic bank (the meetings feature builds agendas from it)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from dialogs.topics import rules
from dialogs.topics.repositories import case_repository, topic_repository
from dialogs.turn import Services
from storage.case_repository import Case
from storage.times import parse_utc
from storage.topic_repository import Topic

# The vitality report reads the bank and the case queue whole.
__all__ = [
    "is_active",
    "ScheduledItem",
    "TreatedTopic",
    "case_repository",
    "offer_case",
    "scheduled_for",
    "topic_repository",
    "treated_between",
]


async def offer_case(
    services: Services,
    *,
    title: str,
    context: str,
    question: str,
    submitter_key: str,
    submitter_name: str,
    desired_meeting_id: str,
    at: str,
) -> Case:
    """A case submitted on a member's behalf by a higher feature (supervision: an unanswered
    request its requester agreed to bring to the volet réflexif). The texts have passed the
    de-identification guard there; the case waits in the animateurs' queue like any other,
    asking for supervision."""
    draft = rules.CaseDraft(
        title=title[: rules.TITLE_MAX],
        context=context[: rules.CASE_TEXT_MAX],
        tried="",
        blocks="",
        question=question[: rules.QUESTION_MAX],
        wishes=("supervision",),
        desired_meeting_id=desired_meeting_id,
    )
    case = rules.new_case(draft, secrets.token_hex(5), submitter_key, submitter_name, at)
    await case_repository(services).add(case)
    return case


@dataclass(frozen=True)
class ScheduledItem:
    source: str  # "topic" | "case"
    item_id: str
    title: str
    kind: str  # "formatif" | "echange" | "reflexif" | "divers"
    presenter: str


async def scheduled_for(services: Services, meeting_id: str) -> list[ScheduledItem]:
    """The topics and cases an animateur put on that meeting's agenda (still scheduled, or
    marked treated), in agenda order: échange, divers, réflexif, formatif; within a volet the
    most supported topic first, then the cases oldest first. A topic's presenter is the one
    proposed with it (may be empty); a case is presented by its submitter."""
    if not meeting_id:
        return []
    on_agenda = (rules.SCHEDULED, rules.TREATED)
    topics = [
        t
        for t in await topic_repository(services).all()
        if t.meeting_id == meeting_id and t.status in on_agenda
    ]
    cases = [
        c
        for c in await case_repository(services).all()
        if c.meeting_id == meeting_id and c.status in on_agenda
    ]
    items = [
        ScheduledItem("topic", t.id, t.title, t.kind, t.presenter) for t in rules.ranked(topics)
    ]
    items += [
        ScheduledItem("case", c.id, c.title, "reflexif", c.submitter_name)
        for c in sorted(cases, key=lambda c: c.created_at)
    ]
    order = rules.AGENDA_ORDER
    return sorted(items, key=lambda item: order.get(item.kind, len(order)))


@dataclass(frozen=True)
class TreatedTopic:
    id: str
    title: str
    kind: str  # "formatif" | "echange" | "reflexif" | "divers"
    treated_at: datetime  # when it was marked treated (aware, UTC)


async def treated_between(services: Services, start: datetime, end: datetime) -> list[TreatedTopic]:
    """Topics marked treated in ``[start, end)`` (the outcomes survey of a cycle offers them as
    learnings), most recent first. Titles passed the de-identification guard when proposed."""
    found: list[TreatedTopic] = []
    for topic in await topic_repository(services).all():
        if topic.status != rules.TREATED or not topic.updated_at:
            continue
        moment = parse_utc(topic.updated_at)
        if start <= moment < end:
            found.append(TreatedTopic(topic.id, topic.title, topic.kind, moment))
    return sorted(found, key=lambda t: (t.treated_at, t.id), reverse=True)


def is_active(topic: Topic) -> bool:
    """Still in the bank: open or scheduled (not treated, archived or merged)."""
    return topic.status in rules.ACTIVE
