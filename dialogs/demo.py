"""A fictional CdeP year, written through the features' own repositories and functions, so that
every command has something to show in the first minute (``make playground``).

Everything is placed relative to ``now`` (never fixed dates): the cycle ``bilan`` shows by
default (:meth:`dialogs.cycles.Cycle.of`), or the one before it when the current cycle has just
begun. In it: two committees (``ch``, ``clsc``), six meetings held (two of each committee, two
joint) with RSVPs, presence taken as the presence feature takes it (in-room check-ins, Teams
join/leave events) and certificates issued by its own function half an hour after each meeting;
a joint meeting to come with answers; polls built from the ready-made templates (needs analysis,
two satisfaction surveys, the outcomes survey after the latest meeting, the availability poll of
the committees' next meetings, still open) with answers;
topics with supports, cases, library resources marked « utile », and projects. The lead (the
Playground's user) is one of the people: she has RSVPs, a presence history and certificates of
her own.

Between meetings: two resources marked « essentiel » (the welcome dossier's « Outils
essentiels »), one attached to a slot of the agenda of the meeting to come and one to a topic of
the bank; « ce qu'on retient » of two joint meetings held (key points, decisions, links, a
follow-up due in two weeks) with anonymous takeaways written as the notes feature writes them
(:meth:`NotesRepository.record_takeaway`: no key beside the text); a resource person (profile
option, expertise « deuil », « proches aidants »), an ad hoc supervision request she took last
month and one of the lead's, sent two days ago, still waiting. Every seeded text passes the
de-identification guard (tests/dialogs/demo). The cycle ``planifier`` proposes holds no demo
meeting except, in its first month, the one to come (never on a day ``planifier`` leaves out:
holidays, the Fêtes, spring break) and the poll's dates, a week after it.

The people are fictional; their names are plain data, like the shipped community profile.
Seeding twice is refused (``DEMO_MARKER`` in the ``demo`` database).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from tinydb import TinyDB

from cards.i18n import Translator
from dialogs import cycles
from dialogs.cycles import Period
from dialogs.library.repositories import resource_repository
from dialogs.meetings import planning as meetings_planning
from dialogs.meetings import queries as meetings_queries
from dialogs.notes.repositories import notes_repository
from dialogs.onboarding import queries as onboarding_queries
from dialogs.polls import audience as polls_audience
from dialogs.polls import rules as polls_rules
from dialogs.polls import surveys as poll_surveys
from dialogs.presence import jobs as presence_jobs
from dialogs.presence import queries as presence_queries
from dialogs.supervision import rules as supervision_rules
from dialogs.supervision.repositories import supervision_repository
from dialogs.topics import repositories as topics_repositories
from dialogs.turn import Services
from dialogs.vitality.inputs import vitality_repository
from storage.case_repository import Case
from storage.meeting_repository import AgendaEntry, Meeting, Rsvp
from storage.member_repository import Member, member_key
from storage.notes_repository import FollowUp, MeetingNotes
from storage.poll_repository import Poll
from storage.presence_repository import CheckIn, LiveEvent, PresenceRepository
from storage.profile_repository import MemberProfile
from storage.resource_repository import Attachment, Resource
from storage.supervision_repository import SupervisionRequest
from storage.topic_repository import Topic
from storage.vitality_repository import Project

logger = logging.getLogger(__name__)

DEMO_DATABASE = "demo"
DEMO_MARKER = "seeded"
_SEED = 15  # the same fictional year every time, for the same ``now``


@dataclass(frozen=True)
class DemoPerson:
    """Someone of the demo community. ``key`` is the member key (the Entra object id in
    lower case for a real Teams user)."""

    key: str
    name: str
    email: str
    committees: tuple[str, ...]
    discipline: str = "travail_social"
    institution: str = ""
    institution_kind: str = "clsc"
    arrived_on: date | None = None
    departed_on: date | None = None
    teams_user_id: str = ""  # how Teams names them in a chat, when known


@dataclass(frozen=True)
class DemoSummary:
    """What was written, and what to type to see it."""

    period: Period
    meetings_held: int
    next_meeting_on: date
    certificates: int
    polls: int
    topics: int
    report_command_args: str  # "" for « bilan », else the cycle's label


@dataclass
class _Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


_FIRST = ("Julie", "Marc", "Nadia", "Luc", "Anne", "Paul", "Sonia", "Éric", "Lise", "Yves")
_LAST = ("Bélanger", "Lavoie", "Fortin", "Gauthier", "Morin", "Ouellet", "Pelletier", "Côté")
_DISCIPLINES = ("travail_social", "psychologie", "soins_infirmiers", "sexologie")
_AGENDA = (
    AgendaEntry("09:00", "09:15", "accueil", "Accueil"),
    AgendaEntry("09:15", "10:30", "tour_de_table", "Tour de table"),
    AgendaEntry("10:30", "12:00", "supervision", "Situations cliniques complexes"),
    AgendaEntry("12:00", "13:00", "repas", "Dîner"),
    AgendaEntry("13:00", "16:00", "atelier_conference", "Atelier-conférence"),
)
# (id, committees, title): the six meetings held, in order, then the one to come. Ids have the
# features' own formats (12 hex digits for a meeting, 10 for a poll, a topic or a case).
_MEETINGS = (
    ("de0000000001", ("ch",), "Rencontre d'automne du comité des CH"),
    ("de0000000002", ("clsc",), "Rencontre d'automne du comité des CLSC"),
    ("de0000000003", ("ch", "clsc"), "Journée conjointe : l'annonce d'un diagnostic"),
    ("de0000000004", ("ch",), "Rencontre d'hiver du comité des CH"),
    ("de0000000005", ("clsc",), "Rencontre d'hiver du comité des CLSC"),
    ("de0000000006", ("ch", "clsc"), "Journée conjointe : le deuil chez les proches aidants"),
)
_NEXT = ("de0000000007", ("ch", "clsc"), "Journée conjointe : la détresse des soignants")
_TOPICS = (
    ("formatif", "La détresse psychologique en fin de traitement", "treated", 4),
    ("echange", "Les ressources communautaires en Montérégie", "open", 6),
    ("formatif", "L'intervention auprès des enfants d'un parent atteint", "scheduled", 5),
    ("reflexif", "Accompagner une famille en désaccord sur les soins", "open", 3),
    ("echange", "Le retour au travail après un cancer", "open", 2),
    ("divers", "Une liste commune des lectures utiles", "open", 1),
)
_PROJECTS = (
    ("Critères de référence à l'équipe psychosociale", "Document du comité des CH"),
    ("Outil de repérage de la détresse", "Grille adoptée par les deux comités"),
)


def demo_people(lead: DemoPerson, others: Sequence[DemoPerson] = ()) -> list[DemoPerson]:
    """The lead, the given people (e.g. the Playground's users), and fourteen fictional
    members (seven per committee)."""
    people = [lead, *others]
    for i in range(14):
        committee = "ch" if i % 2 == 0 else "clsc"
        name = f"{_FIRST[i % len(_FIRST)]} {_LAST[i % len(_LAST)]}"
        key = f"de000000-0000-4000-8000-{i + 1:012d}"  # an Entra object id's shape
        people.append(
            DemoPerson(
                key,
                name,
                f"{name.casefold().replace(' ', '.')}@cdep-monteregie.example",
                (committee,),
                discipline=_DISCIPLINES[i % len(_DISCIPLINES)],
                institution_kind="ch" if committee == "ch" else "clsc",
            )
        )
    return people


def demo_period(services: Services, today: date) -> Period:
    """The cycle ``bilan`` shows today, or the previous one while the current one is younger
    than five weeks (too short for a year of meetings)."""
    cycle = cycles.of_community(services.profile.current)
    period = cycle.of(today)
    if (min(today, period.end) - period.start).days < 35:
        return cycle.previous(period)
    return period


def _next_meeting_day(services: Services, today: date) -> date:
    """Three weeks from today, or the first weekday after it that ``planifier`` would also
    propose: no statutory holiday, no Christmas–New Year week, no spring break."""
    cycle = cycles.of_community(services.profile.current)
    day = today + timedelta(days=21)
    while day.weekday() >= 5 or day in meetings_planning.closed_days(cycle.of(day)):
        day += timedelta(days=1)
    return day


def _meeting_days(period: Period, today: date, count: int) -> list[date]:
    """``count`` weekdays spread over the period, the last one at least three days ago."""
    first = period.start + timedelta(days=7)
    last = min(period.end, today - timedelta(days=3))
    step = max(1, (last - first).days // max(1, count - 1))
    days = []
    for i in range(count):
        day = min(last, first + timedelta(days=i * step))
        while day.weekday() >= 5:  # Saturday, Sunday → the Friday before
            day -= timedelta(days=1)
        days.append(day)
    return days


async def seed_demo_year(
    services: Services, now: datetime, lead: DemoPerson, others: Sequence[DemoPerson] = ()
) -> DemoSummary:
    """Write the demo year (see the module docstring). ``services.clock`` is moved through the
    year while certificates are issued and put back afterwards."""
    marker = services.store.database(DEMO_DATABASE)
    if await marker.run(lambda db: bool(db.table(DEMO_MARKER).all())):
        raise DemoAlreadySeeded
    tz = services.timezone
    today = now.astimezone(tz).date()
    period = demo_period(services, today)
    rng = random.Random(_SEED)
    people = demo_people(lead, others)
    t = Translator(services.profile.current.default_locale)
    # Two arrivals early in the period, a departure a month ago: the report has some to show.
    arrivals = {people[-1].key, people[-2].key}
    people = [
        replace(p, arrived_on=period.start + timedelta(days=20)) if p.key in arrivals else p
        for p in people
    ]
    people[-3] = replace(people[-3], departed_on=today - timedelta(days=30))
    for person in people:  # the names shown beside RSVPs and on presence lists
        if await services.members.get(person.key) is None:
            await services.members.save(
                Member(person.key, person.teams_user_id, person.key, person.name)
            )

    resource_person = _resource_person(people)
    await onboarding_queries.profile_repository(services).save_many(
        [
            MemberProfile(
                p.key,
                name=p.name,
                email=p.email,
                discipline=p.discipline,
                institution=p.institution,
                institution_kind=p.institution_kind,
                committee_ids=p.committees,
                in_directory=True,
                arrived_on=p.arrived_on,
                departed_on=p.departed_on,
                rules_version=1,
                expertise=_EXPERTISE if p is resource_person else (),
                resource_person=p is resource_person,
            )
            for p in people
        ]
    )

    def local(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tz)

    def day_meeting(
        mid: str,
        title: str,
        committees: tuple[str, ...],
        day: date,
        *,
        place: str,
        join_url: str,
        general_objective: str,
        created_at: datetime,
    ) -> Meeting:
        """A hybrid meeting from 9 h to 16 h with the demo agenda, planned by the lead."""
        return Meeting(
            mid,
            title,
            committees,
            local(day, 9),
            local(day, 16),
            "hybride",
            place=place,
            join_url=join_url,
            general_objective=general_objective,
            agenda=_AGENDA,
            created_by=lead.key,
            created_at=created_at,
        )

    meetings = meetings_queries.meeting_repository(services)
    days = _meeting_days(period, today, len(_MEETINGS))
    held: list[tuple[Meeting, date]] = []
    for (mid, committees, title), day in zip(_MEETINGS, days, strict=True):
        meeting = day_meeting(
            mid,
            title,
            committees,
            day,
            place="CISSS de la Montérégie-Centre, salle 2.14",
            join_url="https://teams.microsoft.com/l/meetup-join/demo",
            general_objective="Partager les pratiques et se soutenir entre collègues",
            created_at=local(day, 9) - timedelta(days=30),
        )
        await meetings.save(meeting)
        held.append((meeting, day))
    next_day = _next_meeting_day(services, today)
    next_id, next_committees, next_title = _NEXT
    await meetings.save(
        day_meeting(
            next_id,
            next_title,
            next_committees,
            next_day,
            place="CISSS de la Montérégie-Est, salle Richelieu",
            join_url="https://teams.microsoft.com/l/meetup-join/demo-next",
            general_objective="Reconnaître et prévenir la détresse des soignants",
            created_at=now,
        )
    )

    def invited(committees: Sequence[str], day: date) -> list[DemoPerson]:
        """Members of the committees on that day."""
        return [
            p
            for p in people
            if set(p.committees) & set(committees)
            and (p.arrived_on is None or p.arrived_on <= day)
            and (p.departed_on is None or day < p.departed_on)
        ]

    for person in invited(next_committees, next_day)[:9]:
        choice = rng.choice(("salle", "salle", "en_ligne", "absent"))
        await meetings.set_rsvp(Rsvp(next_id, person.key, choice, now - timedelta(days=1)))

    # Presence, as the presence feature records it, and the certificates it issues.
    presence = presence_queries.presence_repository(services)
    original_clock = services.clock
    clock = _Clock(now)
    services.clock = clock
    certificates = 0
    try:
        for meeting, day in held:
            for person in invited(meeting.committee_ids, day):
                await meetings.set_rsvp(
                    Rsvp(meeting.id, person.key, "salle", local(day, 9) - timedelta(days=5))
                )
                how = "room" if person is lead else rng.choice(_HOW)
                if how != "absent":
                    await record_presence(presence, meeting.id, person.key, how, day, tz)
            clock.now = local(day, 16, 30).astimezone(UTC)
            ref = await meetings_queries.get(services, meeting.id)
            if ref is not None:
                await presence_jobs.offer_certificates(services, ref)
            certificates += len(await presence.certificates_for("meeting", meeting.id))
    finally:
        services.clock = original_clock

    polls = await _seed_polls(services, t, held, people, lead, now, next_day, rng)
    topics = await _seed_topics(services, people, lead, held, next_id, rng)
    await _seed_library(services, people, held, next_id, rng)
    await _seed_notes(services, people, lead, held, today, invited)
    next_start = local(next_day, 9)
    await _seed_supervision(services, people, lead, resource_person, now, (next_id, next_start))
    projects = vitality_repository(services)
    for i, (title, description) in enumerate(_PROJECTS):
        done_on = held[2 + 2 * i][1]
        await projects.add_project(
            Project(f"de00000003{i:02d}", title, description, done_on, lead.key, now)
        )

    def mark(db: TinyDB) -> None:
        db.table(DEMO_MARKER).insert({"now": now.isoformat(), "period": period.label})

    await marker.run(mark)
    current = cycles.of_community(services.profile.current).of(today)
    logger.info("demo year written: %d meetings, %d certificates", len(held), certificates)
    return DemoSummary(
        period=period,
        meetings_held=len(held),
        next_meeting_on=next_day,
        certificates=certificates,
        polls=polls,
        topics=topics,
        report_command_args="" if period == current else period.label,
    )


_RESOURCES = (
    (
        "Outil de détection de la détresse",
        "tool",
        ("détresse", "soins palliatifs"),
        "formatif",
        "Au premier contact, pour repérer qui orienter vers les soins psychosociaux.",
    ),
    (
        "Critères d'orientation vers les soins psychosociaux",
        "guide",
        ("orientation", "soins psychosociaux"),
        "echange",
        "Quand on hésite entre le suivi en CLSC et un organisme communautaire.",
    ),
    (
        "Le deuil chez les adolescents, repères cliniques",
        "article",
        ("deuil", "adolescents"),
        "reflexif",
        "Pour préparer une rencontre avec une famille endeuillée.",
    ),
)


# Where resources are attached (by their index in _RESOURCES): the detection tool to the
# afternoon workshop of the meeting to come, the article on grief to a topic of the bank.
_ESSENTIALS = (0, 1)
_SLOT = _AGENDA[4]
_TOPIC_OF_RESOURCE = {2: "de00000103"}  # « L'intervention auprès des enfants d'un parent atteint »


async def _seed_library(
    services: Services,
    people: Sequence[DemoPerson],
    held: Sequence[tuple[Meeting, date]],
    next_id: str,
    rng: random.Random,
) -> None:
    library = resource_repository(services)
    keys = [p.key for p in people]
    for i, (title, kind, themes, volet, description) in enumerate(_RESOURCES):
        author = people[(i * 2 + 1) % len(people)]
        created = datetime.combine(held[1][1] + timedelta(days=5 * i), time(12), UTC)
        attachments: list[Attachment] = []
        if i == 0:
            attachments.append(Attachment("meeting", next_id, _SLOT.start, _SLOT.title))
        if i in _TOPIC_OF_RESOURCE:
            attachments.append(Attachment("topic", _TOPIC_OF_RESOURCE[i]))
        await library.add(
            Resource(
                f"de000004{i + 1:02d}",
                title,
                f"https://example.org/bibliotheque/{i + 1}",
                kind,
                themes,
                volet,
                description,
                author.key,
                author.name,
                _iso(created),
                useful_by=tuple(sorted(rng.sample(keys, min(len(keys), 4 - i)))),
                listed_at=_iso(created),
                essential=i in _ESSENTIALS,
                attachments=tuple(attachments),
            )
        )


# « Ce qu'on retient » of the two latest joint meetings held (index in the meetings held).
_NOTES = (
    (
        5,
        "- Le deuil anticipé commence souvent bien avant le décès.\n"
        "- Les proches aidants refusent souvent le répit par loyauté envers la personne malade.\n"
        "- Un suivi de deuil s'offre dans les semaines qui suivent le décès, puis se repropose.",
        "- Ajouter une question sur l'épuisement de l'aidant à la grille de repérage.\n"
        "- Prochaine journée conjointe : la détresse des soignants.",
        (
            "Le deuil chez les adolescents, repères cliniques : https://example.org/bibliotheque/3",
            "Outil de détection de la détresse : https://example.org/bibliotheque/1",
        ),
    ),
    (
        2,
        "- L'annonce se prépare en équipe : qui est présent, qui fait le suivi le lendemain.\n"
        "- Vérifier ce que la personne a compris avant d'ajouter de l'information.",
        "- Un aide-mémoire commun pour l'annonce sera rédigé par le comité des CH.",
        (
            "Critères d'orientation vers les soins psychosociaux : https://example.org/bibliotheque/2",
        ),
    ),
)
# (text, who takes it: index among the fictional members or -1 for the lead, due in days
# from today or None when already done)
_FOLLOW_UPS: dict[int, tuple[tuple[str, int, int | None], ...]] = {
    5: (
        ("Proposer une version révisée de la grille de repérage", 1, 14),
        ("Diffuser la liste des organismes de répit du territoire", -1, 10),
    ),
    2: (("Rédiger l'aide-mémoire pour l'annonce d'un diagnostic", 2, None),),
}
_TAKEAWAYS: dict[int, tuple[str, ...]] = {
    5: (
        "Nommer le deuil anticipé tôt aide la famille à se préparer.",
        "Le répit se propose plusieurs fois : un premier refus n'est pas définitif.",
        "Je vais utiliser la grille de repérage dès le premier contact.",
        "Valider l'épuisement de l'aidant avant de proposer des services.",
    ),
    2: (
        "Demander ce que la personne a compris avant d'en dire plus.",
        "Prévoir qui rappelle la famille le lendemain de l'annonce.",
    ),
}


async def _seed_notes(
    services: Services,
    people: Sequence[DemoPerson],
    lead: DemoPerson,
    held: Sequence[tuple[Meeting, date]],
    today: date,
    invited: Callable[[Sequence[str], date], list[DemoPerson]],
) -> None:
    """The notes as an animateur saves them, the takeaways as the notes feature stores them
    (one anonymous text and one participation mark, together)."""
    notes = notes_repository(services)
    fictional = _fictional(people)
    for index, key_points, decisions, links in _NOTES:
        meeting, day = held[index]
        follow_ups = tuple(
            FollowUp(
                f"de00{index:02d}f{n}",
                text,
                (lead if who < 0 else fictional[who]).key,
                due_on=(today + timedelta(days=due)).isoformat() if due is not None else "",
                done=due is None,
            )
            for n, (text, who, due) in enumerate(_FOLLOW_UPS[index])
        )
        written = datetime.combine(day + timedelta(days=1), time(15), UTC)
        await notes.save(
            MeetingNotes(meeting.id, key_points, decisions, links, follow_ups, _iso(written))
        )
        members = [p for p in invited(meeting.committee_ids, day) if p is not lead]
        for person, text in zip(members[1:], _TAKEAWAYS[index], strict=False):
            await notes.record_takeaway(meeting.id, person.key, text)


_EXPERTISE = ("deuil", "proches aidants", "soins palliatifs")
# (title, context, question, themes, urgency, days before now, hours until taken or None:
# waiting; « prochaine rencontre », so no reminder goes out while someone tries the demo)
_REQUESTS = (
    (
        "Famille qui décline le suivi de deuil",
        "La conjointe d'un usager décédé à domicile refuse toute offre de suivi pour l'instant.",
        "Comment garder la porte ouverte sans insister?",
        ("deuil",),
        "week",
        30,
        5,
    ),
    (
        "Épuisement d'un proche aidant",
        "Conjoint d'une usagère en soins palliatifs à domicile, seul la nuit depuis trois "
        "semaines.",
        "Quelles options de répit proposer quand la famille refuse les services à domicile?",
        ("proches aidants", "soins palliatifs"),
        "meeting",
        2,
        None,
    ),
)


def _fictional(people: Sequence[DemoPerson]) -> list[DemoPerson]:
    """The fourteen fictional members (see :func:`demo_people`), in order."""
    return list(people[-14:])


def _resource_person(people: Sequence[DemoPerson]) -> DemoPerson:
    """The member who offers ad hoc supervision on grief and caregivers: a fictional one."""
    return _fictional(people)[1]


async def _seed_supervision(
    services: Services,
    people: Sequence[DemoPerson],
    lead: DemoPerson,
    resource_person: DemoPerson,
    now: datetime,
    next_meeting: tuple[str, datetime],
) -> None:
    """A request a member made last month, taken by the resource person; one of the lead's,
    made two days ago for the next meeting (id, start), still waiting (« supervision » lists it
    to her)."""
    repository = supervision_repository(services)
    animateurs = [
        member_key("", person.aad_object_id)
        for person in services.profile.current.animateurs
        if person.aad_object_id
    ]
    requester_of = (_fictional(people)[3], lead)
    next_id, next_start = next_meeting
    for n, (title, context, question, themes, urgency, days, taken_after) in enumerate(_REQUESTS):
        requester = requester_of[n]
        created = now - timedelta(days=days)
        waiting = taken_after is None
        due = supervision_rules.deadlines(
            urgency, created, services.timezone, next_start if waiting else None
        )
        persons = await onboarding_queries.resource_persons(services, themes)
        routed = supervision_rules.recipients(animateurs, [p.key for p in persons], requester.key)
        request = SupervisionRequest(
            id=f"de00000006{n:02d}",
            title=title,
            context=context,
            question=question,
            urgency=urgency,
            themes=themes,
            requester_key=requester.key,
            requester_name=requester.name,
            created_at=_iso(created),
            remind_at=_iso(due.remind_at),
            ask_at=_iso(due.ask_at),
            meeting_id=next_id if waiting else "",
            routed_to=routed,
        )
        if taken_after is not None:
            request = replace(
                request,
                status=supervision_rules.TAKEN,
                taker_key=resource_person.key,
                taker_name=resource_person.name,
                taken_at=_iso(created + timedelta(hours=taken_after)),
            )
        await repository.add(request)


class DemoAlreadySeeded(Exception):
    """The data folder already holds the demo year."""


# How a fictional person took part: mostly in the room or online all day; a few left at noon,
# a few stayed 40 minutes (present, but no certificate), some did not come.
_HOW = ("room", "room", "room", "online", "online", "morning", "brief", "absent", "absent")
# At a 9 h-16 h meeting: checked in, in the room (within the grace period, or late) ...
CHECK_IN_AT = {"room": time(9, 5), "late": time(10)}
# ... or in the Teams meeting, from when to when.
IN_TEAMS = {
    "online": (time(9), time(16)),
    "morning": (time(9), time(12)),
    "brief": (time(13), time(13, 40)),
}


async def record_presence(
    presence: PresenceRepository, meeting_id: str, key: str, how: str, day: date, tz: tzinfo
) -> None:
    """One person's presence at a 9 h-16 h meeting, as the presence feature records it: the
    in-room check-in (``room``, ``late``) or the Teams join/leave events (``online``,
    ``morning``, ``brief``). Also used by the year of tests/dialogs/vitality/test_year.py."""

    def at(moment: time) -> datetime:
        return datetime.combine(day, moment, tz)

    if how in CHECK_IN_AT:
        if not await presence.add_checkin(CheckIn(meeting_id, key, at(CHECK_IN_AT[how]))):
            raise ValueError(f"check-in refused for {how}")
        return
    if how not in IN_TEAMS:
        raise ValueError(f"unknown way of taking part: {how}")
    joined, left = IN_TEAMS[how]
    for kind, moment in (("join", joined), ("leave", left)):
        if not await presence.add_live_event(LiveEvent(meeting_id, key, kind, at(moment))):
            raise ValueError(f"{kind} event refused for {how}")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


async def _seed_polls(
    services: Services,
    t: Translator,
    held: Sequence[tuple[Meeting, date]],
    people: Sequence[DemoPerson],
    lead: DemoPerson,
    now: datetime,
    next_day: date,
    rng: random.Random,
) -> int:
    polls = polls_audience.poll_repository(services)
    everyone = tuple(sorted(p.key for p in people))
    written = 0

    def poll_of(pid: str, blueprint: Any, published: datetime, closed: datetime | None) -> Poll:
        return Poll(
            id=pid,
            kind=blueprint.kind,
            title=blueprint.title,
            questions=blueprint.questions,
            status="closed" if closed else "open",
            anonymous=blueprint.anonymous,
            visibility="live" if not closed else blueprint.visibility,
            audience="members",
            deadline=_iso(closed or blueprint.deadline),
            created_by=lead.key,
            created_at=_iso(published - timedelta(hours=1)),
            locale=t.locale,
            audience_keys=everyone,
            published_at=_iso(published),
            closed_at=_iso(closed) if closed else "",
        )

    # The needs analysis, at the start of the cycle.
    start = datetime.combine(held[0][1] - timedelta(days=5), time(9), services.timezone)
    needs = poll_surveys.needs(t, start)
    await polls.save(poll_of("de000000a1", needs, start, start + timedelta(days=14)))
    for key in everyone[: len(everyone) * 2 // 3]:
        themes = rng.sample([c.id for c in needs.questions[0].choices], 3)
        await polls.record_anonymous(
            "de000000a1",
            key,
            {"q1": themes, "q2": rng.choice((3, 4, 4, 5)), "q3": "c3", "q4": "c2"},
        )
    written += 1
    # A satisfaction survey after each joint meeting.
    for meeting, day in held:
        if len(meeting.committee_ids) < 2:
            continue
        ends = datetime.combine(day, time(16, 5), services.timezone)
        info = poll_surveys.MeetingInfo(meeting.title, meeting.starts_at)
        survey = poll_surveys.satisfaction(t, ends, info)
        pid = f"de0000{meeting.id[-4:]}"
        closes = min(ends + timedelta(days=7), now - timedelta(hours=1))
        await polls.save(replace(poll_of(pid, survey, ends, closes), meeting_id=meeting.id))
        for key in everyone[: len(everyone) * 3 // 4]:
            scores = {f"q{n}": rng.choice((3, 4, 4, 5, 5)) for n in range(1, 5)}
            await polls.record_anonymous(pid, key, scores)
        written += 1
    # « Retombées et apprentissages » after the latest meeting held, answered by most members
    # (the « Efficacité » section of « bilan »).
    last, last_day = held[-1]
    ends = datetime.combine(last_day, time(16, 10), services.timezone)
    objectives = [o.get(t.locale) for o in services.profile.current.objectives]
    outcomes = poll_surveys.outcomes(t, ends, objectives)
    closes = min(ends + timedelta(days=14), now - timedelta(hours=1))
    await polls.save(replace(poll_of("de000000a3", outcomes, ends, closes), meeting_id=last.id))
    for key in everyone[: len(everyone) * 3 // 4]:
        answer: dict[str, Any] = {
            q.id: rng.choice((3, 4, 4, 5)) for q in outcomes.questions if q.kind == "scale"
        }
        answer[poll_surveys.LEARNED] = sorted(rng.sample(["c1", "c2", "c3", "c4", "c5"], 2))
        answer[poll_surveys.PRACTICE] = sorted(rng.sample(["c1", "c2", "c3", "c4", "c5"], 2))
        answer[poll_surveys.VALUE] = sorted(rng.sample(["c1", "c2", "c3", "c5"], 1))
        await polls.record_anonymous("de000000a3", key, answer)
    written += 1
    # Dates for the committees' next meetings, from a week after the joint meeting to come (not
    # on its day): open, named, results live. « planifier » puts the best first when they fall
    # in the cycle it plans.
    dates = polls_rules.candidate_dates(next_day, weeks_ahead=1)
    availability = poll_surveys.availability(t, now, dates)
    await polls.save(poll_of("de000000a2", availability, now - timedelta(days=2), None))
    choices = [c.id for c in availability.questions[0].choices if not c.exclusive]
    for person in people[1:7]:
        picked = sorted(rng.sample(choices, 2))
        await polls.record_named(
            "de000000a2", person.key, person.name, {"q1": picked}, now - timedelta(days=1)
        )
    return written + 1


async def _seed_topics(
    services: Services,
    people: Sequence[DemoPerson],
    lead: DemoPerson,
    held: Sequence[tuple[Meeting, date]],
    next_id: str,
    rng: random.Random,
) -> int:
    topics = topics_repositories.topic_repository(services)
    keys = [p.key for p in people]
    first_day = held[0][1]
    for i, (kind, title, status, supports) in enumerate(_TOPICS):
        proposer = people[(i * 3 + 2) % len(people)]
        created = datetime.combine(first_day + timedelta(days=3 * i), time(12), UTC)
        meeting = held[2][0].id if status == "treated" else next_id if status == "scheduled" else ""
        await topics.add(
            Topic(
                f"de000001{i + 1:02d}",
                title,
                "Proposé pour une prochaine rencontre.",
                kind,
                "",
                proposer.key,
                proposer.name,
                _iso(created),
                status=status,
                meeting_id=meeting,
                supporters=tuple(sorted(rng.sample(keys, supports))),
                updated_at=_iso(created),
            )
        )
    cases = topics_repositories.case_repository(services)
    for i, (status, meeting) in enumerate((("treated", held[2][0].id), ("submitted", ""))):
        submitter = people[4 + i]
        created = datetime.combine(held[1][1] + timedelta(days=10 * i), time(12), UTC)
        await cases.add(
            Case(
                f"de000002{i + 1:02d}",
                "Proche aidant épuisé" if i == 0 else "Refus de services à domicile",
                "Usager en soins palliatifs à domicile; la personne proche aidante est épuisée.",
                "Répit proposé, refusé par la famille.",
                "La famille craint de perdre le contrôle des soins.",
                "Comment ouvrir la discussion sur le répit?",
                ("advice",),
                "",
                submitter.key,
                submitter.name,
                _iso(created),
                status=status,
                meeting_id=meeting,
            )
        )
    return len(_TOPICS)
