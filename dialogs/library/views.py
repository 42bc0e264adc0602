"""Library records → card views, and the meeting card's « Ressources de l'ordre du jour »."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time, tzinfo

from cards.dates import short_date, short_time
from cards.i18n import SUPPORTED_LOCALES, Translator, fold
from cards.library import Choice, LibraryView, ResourceLine
from cards.meetings import CardSection, SectionLine
from cards.topics import kind_label
from dialogs.library import rules
from dialogs.meetings.queries import MeetingRef
from storage.resource_repository import Attachment, Resource


def line_of(resource: Resource, viewer_key: str, is_animateur: bool = False) -> ResourceLine:
    return ResourceLine(
        id=resource.id,
        title=resource.title,
        url=resource.url,
        kind=resource.kind,
        volet=resource.volet,
        themes=rules.themes_text(resource.themes),
        description=resource.description,
        author=resource.author_name,
        useful_count=resource.useful_count,
        marked=resource.useful_for(viewer_key),
        own=bool(viewer_key) and resource.author_key == viewer_key,
        essential=resource.essential,
        can_essential=is_animateur and resource.listed,
        can_attach=rules.can_attach(resource, viewer_key, is_animateur),
    )


def filter_words() -> tuple[dict[str, str], dict[str, str], set[str]]:
    """The words naming a kind and a volet in every language (folded), with the codes, and
    the word for « essentiel »."""
    translators = [Translator(locale) for locale in SUPPORTED_LOCALES]
    kinds = {fold(t(f"library.kind.{k}.word")): k for t in translators for k in rules.KINDS}
    volets = {fold(t(f"topics.kind.{v}.word")): v for t in translators for v in rules.VOLETS}
    essential = {fold(t("library.essential.word")) for t in translators}
    return kinds, volets, essential


def library_view(
    query: str,
    resources: Sequence[Resource],
    viewer_key: str,
    notice: str = "",
    is_animateur: bool = False,
) -> LibraryView:
    """``query`` as typed: kind and volet words filter, the rest is searched (listed resources
    only: pending and refused ones are not in the library)."""
    filters = rules.read_filters(query, *filter_words())
    pool = rules.essentials(resources) if filters.essential else rules.listed(resources)
    found = rules.search(filters.words, pool, len(pool), kind=filters.kind, volet=filters.volet)
    shown = found[: rules.MAX_RESULTS]
    return LibraryView(
        query=query,
        lines=tuple(line_of(r, viewer_key, is_animateur) for r in shown),
        notice=notice,
        total=len(found),
    )


def hhmm(moment: time) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def slot_time(slot: str, t: Translator) -> str:
    """``HH:MM`` worded for the card's language (« 9 h 30 »)."""
    try:
        return short_time(time.fromisoformat(slot), t)
    except ValueError:
        return slot


def slot_label(title: str, kind: str, t: Translator) -> str:
    """An agenda slot's name: its title, else its kind worded."""
    if title:
        return title
    key = f"meetings.kind.{kind}"
    return t(key) if t.has(key) else kind_label(kind, t)


def slot_choices(meetings: Sequence[MeetingRef], t: Translator, tz: tzinfo) -> tuple[Choice, ...]:
    """Every slot of the upcoming meetings' agendas, as attach choices."""
    found = []
    for meeting in meetings:
        day = short_date(meeting.starts_at.astimezone(tz), t)
        for slot in meeting.agenda:
            found.append(
                Choice(
                    t(
                        "library.attach.slot_line",
                        meeting=meeting.title,
                        date=day,
                        time=short_time(slot.start, t),
                        slot=slot_label(slot.title, slot.kind, t),
                    ),
                    f"meeting:{meeting.id}:{hhmm(slot.start)}",
                )
            )
    return tuple(found[: rules.MAX_CHOICES])


def attachment_choice(
    attachment: Attachment,
    topics: dict[str, str],
    meetings: dict[str, MeetingRef],
    t: Translator,
    tz: tzinfo,
) -> Choice | None:
    """An attachment worded for the attach card (None when its topic or meeting is gone)."""
    if attachment.target == "topic":
        title = topics.get(attachment.target_id)
        if title is None:
            return None
        return Choice(t("library.attach.topic_line", title=title), attachment.code)
    meeting = meetings.get(attachment.target_id)
    if meeting is None:
        return None
    return Choice(
        t(
            "library.attach.slot_line",
            meeting=meeting.title,
            date=short_date(meeting.starts_at.astimezone(tz), t),
            time=slot_time(attachment.slot, t),
            slot=attachment.slot_title or attachment.slot,
        ),
        attachment.code,
    )


def agenda_section(pairs: Sequence[tuple[Attachment, Resource]], t: Translator) -> CardSection:
    """The meeting card's « Ressources de l'ordre du jour »: slot time and title, resource."""
    return CardSection(
        title=t("library.section.agenda"),
        lines=tuple(
            SectionLine(
                t(
                    "library.section.line",
                    time=slot_time(a.slot, t),
                    slot=a.slot_title,
                    title=r.title,
                ),
                r.url,
            )
            for a, r in pairs
        ),
    )
