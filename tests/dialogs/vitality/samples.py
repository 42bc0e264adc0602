"""A small fictional report (two committees, a few meetings, polls, topics, projects), and the
profile it belongs to, for card, export and schema tests."""

from __future__ import annotations

from datetime import date

from cards.i18n import Translator
from cards.vitality import ReportView
from dialogs.vitality.rules import (
    Attendance,
    CaseFacts,
    MeetingFacts,
    MemberSpan,
    NotesFacts,
    OutcomesFacts,
    PollFacts,
    ProjectFacts,
    ReportRequest,
    SupervisionFacts,
    TakeawayFacts,
    TopicFacts,
    VitalityInputs,
    VitalityReport,
    compute_report,
    cycle_starting,
    invited_keys,
)
from dialogs.vitality.views import Links, report_view
from storage.community import CommunityProfile, example_text, parse_profile

TODAY = date(2026, 3, 15)


def profile() -> CommunityProfile:
    import tomllib

    return parse_profile(tomllib.loads(example_text()))


def sample_inputs() -> VitalityInputs:
    members = tuple(
        MemberSpan(
            f"m{i:02d}",
            frozenset({"ch"} if i % 2 else {"clsc"}),
            date(2025, 10, 1) if i >= 18 else None,
            date(2026, 1, 15) if i == 4 else None,
        )
        for i in range(24)
    )
    meetings = []
    for n, (day, committees) in enumerate(
        [
            (date(2025, 9, 18), {"ch"}),
            (date(2025, 10, 9), {"clsc"}),
            (date(2025, 11, 20), {"ch", "clsc"}),
            (date(2026, 1, 22), {"ch"}),
            (date(2026, 2, 12), {"clsc"}),
        ]
    ):
        meetings.append(
            MeetingFacts(
                f"r{n}",
                day,
                frozenset(committees),
                True,
                invited_keys(day, committees, members, ()),
            )
        )
    attendance = tuple(
        Attendance(m.id, key, "salle" if j % 3 else "en_ligne", 5.5)
        for m in meetings
        for j, key in enumerate(sorted(m.invited))
        if j % 4 != 3
    )
    polls = (
        PollFacts("s1", "satisfaction", date(2025, 9, 19), 12, 9, "r0", "", 4.4, (0, 0, 1, 3, 5)),
        PollFacts("s2", "satisfaction", date(2025, 11, 21), 22, 14, "r2", "", 4.1, (0, 1, 2, 5, 6)),
        PollFacts("b1", "needs", date(2025, 10, 1), 24, 17),
        PollFacts("d1", "availability", date(2026, 1, 5), 3, 3),
    )
    topics = (
        TopicFacts("t1", date(2025, 9, 3), 4, date(2025, 11, 20), frozenset({"ch", "clsc"})),
        TopicFacts("t2", date(2025, 10, 2), 0),
        TopicFacts("t3", date(2026, 2, 1), 2),
    )
    cases = (CaseFacts("c1", date(2025, 10, 20), date(2025, 11, 20), frozenset({"ch", "clsc"})),)
    projects = (
        ProjectFacts(
            "p1",
            "Critères de référence à l'équipe psychosociale",
            "Document réalisé par le comité des CH",
            date(2025, 12, 4),
        ),
        ProjectFacts(
            "p2",
            "Outil clinique sur la prévention du suicide",
            "",
            date(2026, 2, 20),
            "clinical_tool",
            ("CISSS de la Montérégie-Centre",),
            "https://example.org/outil",
        ),
    )
    return VitalityInputs(
        members,
        tuple(meetings),
        attendance,
        31,
        polls,
        topics,
        cases,
        projects,
        sample_outcomes(),
        sample_supervision(),
        sample_notes(),
    )


LONG_TAKEAWAY = (
    "Nommer la détresse sans chercher à la réparer tout de suite, laisser de la place au "
    "silence, puis demander ce qui aiderait aujourd'hui, avant de proposer une référence "
    "ou un outil."
)


def sample_supervision() -> SupervisionFacts:
    """11 requests, 6 taken (median 4,5 h); 3 expired and 2 still open: hidden together."""
    return SupervisionFacts(
        11, 6, 4.5, (("taken", 6), ("offered", 0), ("cancelled", 0), ("expired", 3))
    )


def sample_notes() -> NotesFacts:
    """5 past meetings, 4 with notes, 3 with takeaways (7 in all), 4 follow-ups done of 6."""
    texts = (
        TakeawayFacts("r0", date(2025, 9, 18), "Demander plus tôt l'aide de l'équipe."),
        TakeawayFacts("r0", date(2025, 9, 18), "Le deuil anticipé se nomme."),
        TakeawayFacts("r2", date(2025, 11, 20), "Utiliser l'outil de détection de la détresse."),
        TakeawayFacts("r2", date(2025, 11, 20), "Référer avec les critères d'orientation."),
        TakeawayFacts("r3", date(2026, 1, 22), LONG_TAKEAWAY),
        TakeawayFacts("r3", date(2026, 1, 22), "Prendre soin de soi entre deux visites."),
        TakeawayFacts("r3", date(2026, 1, 22), "Écouter la famille aussi."),
    )
    return NotesFacts(5, 4, 3, 7, 6, 4, texts)


def sample_outcomes() -> tuple[OutcomesFacts, ...]:
    """One outcomes survey answered by 12 people: three objectives, learnings, practice
    changes and value (the third objective answered by 3 people only: hidden)."""
    return (
        OutcomesFacts(
            "o1",
            date(2026, 3, 2),
            12,
            objectives=(
                ("o1", "Objectif 1", (0, 1, 2, 5, 4)),
                ("o2", "Objectif 2", (0, 0, 3, 6, 3)),
                ("o3", "Objectif 3", (0, 0, 1, 1, 1)),
            ),
            learned=(("Prévention du suicide", 8), ("Deuil", 5), ("Sexualité", 2), ("Autre", 0)),
            learned_respondents=11,
            practice=(("Nouvel outil", 6), ("Je réfère autrement", 7), ("Aucun", 1)),
            practice_respondents=12,
            value=(("Outils", 9), ("Collaborations", 5)),
            value_respondents=10,
        ),
    )


def sample_report(committee: str = "", inputs: VitalityInputs | None = None) -> VitalityReport:
    return compute_report(
        inputs or sample_inputs(), ReportRequest(cycle_starting(2025), committee), TODAY, 5
    )


def sample_view(t: Translator, committee: str = "") -> ReportView:
    links = Links(
        "https://veilleuse.example/files/csv-token",
        (("PDF", "https://veilleuse.example/files/pdf-token"),),
        offer_outcomes=True,
    )
    return report_view(sample_report(committee), profile(), t, links)
