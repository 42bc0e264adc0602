"""From stored topics, cases and meetings to the cards' views, in the reader's language.

Dates and times go through Babel with the catalog's patterns (« mardi 7 mai 2024, 9 h 00 »).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from babel.dates import format_datetime

from cards.i18n import Translator
from cards.topics import CaseLine, Choice, TopicLine
from dialogs.topics import meetings, rules
from dialogs.topics.rules import MeetingLike
from dialogs.turn import Services
from storage.case_repository import Case
from storage.times import utc_iso
from storage.topic_repository import Topic

iso = utc_iso


def _moment(value: str | datetime) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_date(value: str | datetime, services: Services, t: Translator) -> str:
    moment = _moment(value)
    if moment is None:
        return ""
    return format_datetime(
        moment,
        t(_pattern("topics.format.date", moment, services)),
        tzinfo=services.timezone,
        locale=t.babel_locale,
    )


def format_moment(value: str | datetime, services: Services, t: Translator) -> str:
    moment = _moment(value)
    if moment is None:
        return ""
    return format_datetime(
        moment,
        t(_pattern("topics.format.datetime", moment, services)),
        tzinfo=services.timezone,
        locale=t.babel_locale,
    )


def _pattern(key: str, moment: datetime, services: Services) -> str:
    """The catalog's date pattern; its ``_first`` variant on the first of a month (« 1er »)."""
    return f"{key}_first" if moment.astimezone(services.timezone).day == 1 else key


def meeting_label(meeting: MeetingLike, services: Services, t: Translator) -> str:
    return t(
        "topics.meeting.label",
        when=format_moment(meeting.starts_at, services, t),
        title=meeting.title,
    )


async def meeting_labels(
    services: Services, meeting_ids: Iterable[str], t: Translator
) -> dict[str, str]:
    """Label of each meeting id (an unknown meeting keeps a neutral label)."""
    labels: dict[str, str] = {}
    for meeting_id in set(meeting_ids) - {""}:
        meeting = await meetings.get(services, meeting_id)
        labels[meeting_id] = (
            meeting_label(meeting, services, t) if meeting else t("topics.meeting.unknown")
        )
    return labels


async def meeting_choices(services: Services, t: Translator) -> tuple[Choice, ...]:
    found = await meetings.upcoming(services, services.clock())
    return tuple(Choice(meeting_label(m, services, t), m.id) for m in found)


def topic_line(topic: Topic, viewer_key: str | None, labels: dict[str, str]) -> TopicLine:
    """``viewer_key`` None: a view many people share (no "you support" mark)."""
    return TopicLine(
        id=topic.id,
        title=topic.title,
        kind=topic.kind,
        status=topic.status,
        supports=topic.support_count,
        supported=None if viewer_key is None else topic.supported_by(viewer_key),
        can_support=rules.can_support(topic),
        meeting=labels.get(topic.meeting_id, "") if topic.status == rules.SCHEDULED else "",
    )


def case_line(
    case: Case,
    services: Services,
    t: Translator,
    labels: dict[str, str],
    *,
    show_submitter: bool,
) -> CaseLine:
    return CaseLine(
        id=case.id,
        title=case.title,
        status=case.status,
        created=format_date(case.created_at, services, t),
        meeting=labels.get(case.meeting_id, "") if case.meeting_id else "",
        submitter=(case.submitter_name or t("topics.case.former_member")) if show_submitter else "",
    )
