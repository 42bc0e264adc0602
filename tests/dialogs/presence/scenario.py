"""The hybrid meeting of the presence tests (HTTP and end to end), with hand-computed results.

« Journée conjointe », mardi 7 mai 2024, 9 h à 16 h (America/Montreal, UTC−4), hybrid. Agenda:
accueil 9 h–9 h 15, tour de table 9 h 15–10 h 30, supervision 10 h 30–12 h, **repas 12 h–13 h**,
atelier-conférence 13 h–16 h: 360 minutes of training. Six members are invited:

| member | how | intervals (local) | attended | training | credited |
| --- | --- | --- | --- | --- | --- |
| Sophie | online (events + Graph) | 9:00–15:30 live, 9:02–16:00 Graph | 420 | 360 | 6 h |
| Jean-François | online, joins twice | 9:00–10:50, 13:20–15:58 (both) | 268 | 268 | 4,25 h |
| Nathalie | guest, matched by e-mail | 9:10–12:30, 13:00–14:40 | 300 | 270 | 4,5 h |
| Étienne | in the room, code at 9:05 (30 min grace) | 9:00–16:00 | 420 | 360 | 6 h |
| Marc-André | in the room, code at 9:40 | 9:40–16:00 | 380 | 320 | 5,25 h |
| Isabelle | absent (the organizer) | — | 0 | 0 | 0 |

The Graph report also lists an external guest nobody knows (unmatched, 60 minutes).
Identities are those of the Playground's tenant (tests/e2e/playground.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from storage.meeting_repository import AgendaEntry, Meeting
from storage.profile_repository import MemberProfile
from tests.fakes.graph_server import FakeOnlineMeeting, record, report

TZ = ZoneInfo("America/Montreal")
_G = "6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d"
ISABELLE = f"{_G}1e01"
MARC_ANDRE = f"{_G}1e02"
SOPHIE = f"{_G}1e03"
JEAN_FRANCOIS = f"{_G}1e04"
NATHALIE = f"{_G}1e05"
ETIENNE = f"{_G}1e06"
NATHALIE_HOME = "9d1f6c2b-5e4a-4c8d-8e21-7b3a9c0dab05"  # her account in her own tenant
NATHALIE_EMAIL = "nathalie.roy@cisss-autre.example"
GUEST_ID = "0a0a0a0a-1b1b-4c2c-8d3d-4e4e4e4e4e4e"
MEETING_ID = "journee-2024-05-07"
ONLINE_MEETING_ID = "MSpkYzE3Njc0Yy04MWQ5LTRhZGItYmZiMi04ZdFpHRTNaR1F6WGhyZWFkLnYy"
JOIN_URL = (
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_MGQ4MDQyNTEtNTQ2NS00YjQx%40thread.v2/0"
    "?context=%7b%22Tid%22%3a%22909c6581%22%2c%22Oid%22%3a%226f1c2a4e%22%7d"
)
TITLE = "Journée conjointe : l'annonce d'un diagnostic"
DAY_TEXT_FR = "mardi 7 mai 2024"


def local(hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 5, 7, hour, minute, tzinfo=TZ)


def utc_text(hour: int, minute: int = 0) -> str:
    """Graph's way of writing a local time of that day (UTC, fractional seconds)."""
    return local(hour, minute).astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


@dataclass(frozen=True)
class Expected:
    name: str
    minutes: int
    credited_minutes: int
    hours_fr: str
    mode: str


EXPECTED = {
    SOPHIE: Expected("Sophie Bouchard", 420, 360, "6", "en_ligne"),
    JEAN_FRANCOIS: Expected("Jean-François Côté", 268, 255, "4,25", "en_ligne"),
    NATHALIE: Expected("Nathalie Roy", 300, 270, "4,5", "en_ligne"),
    ETIENNE: Expected("Étienne Pelletier", 420, 360, "6", "salle"),
    MARC_ANDRE: Expected("Marc-André Tremblay", 380, 315, "5,25", "salle"),
}
CHECKINS = {ETIENNE: local(9, 5), MARC_ANDRE: local(9, 40)}
# (member key as Teams sees them in the meeting, name, [(kind, local time)])
LIVE_EVENTS: list[tuple[str, str, list[tuple[str, datetime]]]] = [
    (SOPHIE, "Sophie Bouchard", [("join", local(9)), ("leave", local(15, 30))]),
    (
        JEAN_FRANCOIS,
        "Jean-François Côté",
        [
            ("join", local(9)),
            ("leave", local(10, 50)),
            ("join", local(13, 20)),
            ("leave", local(15, 58)),
        ],
    ),
    (NATHALIE_HOME, "Nathalie Roy (Invitée)", [("join", local(9, 10)), ("leave", local(12, 30))]),
]


def meeting(chat_id: str) -> Meeting:
    return Meeting(
        id=MEETING_ID,
        title=TITLE,
        committee_ids=("ch", "clsc"),
        starts_at=local(9),
        ends_at=local(16),
        mode="hybride",
        place="Hôpital Charles-Le Moyne, salle 2-110",
        join_url=JOIN_URL,
        general_objective="Mieux accompagner l'annonce d'un diagnostic de cancer.",
        specific_objectives=(
            "Reconnaître les réactions de crise à l'annonce.",
            "Partager des stratégies d'intervention entre CH et CLSC.",
        ),
        agenda=(
            AgendaEntry("09:00", "09:15", "accueil", "Accueil des participants"),
            AgendaEntry("09:15", "10:30", "tour_de_table", "Tour de table"),
            AgendaEntry("10:30", "12:00", "supervision", "Situations cliniques complexes"),
            AgendaEntry("12:00", "13:00", "repas", "Dîner"),
            AgendaEntry(
                "13:00", "16:00", "atelier_conference", "Atelier-conférence", "Dre Lemieux"
            ),
        ),
        chat_conversation_id=chat_id,
        organizer_aad_id=ISABELLE,
    )


def profiles() -> list[MemberProfile]:
    def profile(
        key: str, name: str, email: str, discipline: str, institution: str
    ) -> MemberProfile:
        return MemberProfile(
            key=key,
            name=name,
            email=email,
            discipline=discipline,
            institution=institution,
            committee_ids=("ch",),
        )

    domain = "cdep-monteregie.example"
    return [
        profile(
            ISABELLE,
            "Isabelle Gagnon",
            f"isabelle.gagnon@{domain}",
            "social_worker",
            "CISSS de la Montérégie-Centre",
        ),
        profile(
            MARC_ANDRE,
            "Marc-André Tremblay",
            f"marc-andre.tremblay@{domain}",
            "psychologist",
            "CISSS de la Montérégie-Est",
        ),
        profile(
            SOPHIE,
            "Sophie Bouchard",
            f"sophie.bouchard@{domain}",
            "psychologist",
            "Hôpital Charles-Le Moyne",
        ),
        profile(
            JEAN_FRANCOIS,
            "Jean-François Côté",
            f"jean-francois.cote@{domain}",
            "social_worker",
            "CLSC Samuel-de-Champlain",
        ),
        profile(
            NATHALIE,
            "Nathalie Roy",
            NATHALIE_EMAIL,
            "sexologist",
            "Maison de soins palliatifs Source Bleue",
        ),
        profile(
            ETIENNE,
            "Étienne Pelletier",
            f"etienne.pelletier@{domain}",
            "nurse",
            "CLSC de Longueuil-Ouest",
        ),
    ]


def graph_meeting() -> FakeOnlineMeeting:
    day = report(
        "c9b6db1c-d5eb-427d-a5c0-20088d9b22d7",
        utc_text(8, 58),
        utc_text(16, 1),
        [
            record(
                SOPHIE,
                "Sophie Bouchard",
                "sophie.bouchard@cdep-monteregie.example",
                [(utc_text(9, 2), utc_text(16), 418 * 60)],
            ),
            record(
                JEAN_FRANCOIS,
                "Jean-François Côté",
                "jean-francois.cote@cdep-monteregie.example",
                [
                    (utc_text(9, 1), utc_text(10, 50), 109 * 60),
                    (utc_text(13, 20), utc_text(15, 58), 158 * 60),
                ],
            ),
            record(
                NATHALIE_HOME,
                "Nathalie Roy (Invitée)",
                NATHALIE_EMAIL,
                [
                    (utc_text(9, 10), utc_text(12, 30), 200 * 60),
                    (utc_text(13), utc_text(14, 40), 100 * 60),
                ],
                tenant_id="5e8f2a1c-7d3b-4f6e-9a0c-1b2d3e4f5a6b",
            ),
            record(
                GUEST_ID,
                "Invité externe",
                "invite@exterieur.example",
                [(utc_text(9), utc_text(10), 3600)],
            ),
        ],
    )
    return FakeOnlineMeeting(ISABELLE, ONLINE_MEETING_ID, JOIN_URL, TITLE, [day])


def participant_event(
    kind: str, key: str, name: str, at: datetime, teams_id: str = ""
) -> dict[str, Any]:
    """The ``value`` and timestamp of a participant join/leave event, as Teams sends it
    (``teams_id``: the person's 29: id, by default made from the AAD id)."""
    name_of = {
        "join": "application/vnd.microsoft.meetingParticipantJoin",
        "leave": "application/vnd.microsoft.meetingParticipantLeave",
    }
    return {
        "name": name_of[kind],
        "timestamp": at.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z"),
        "value": {
            "members": [
                {
                    "user": {
                        "id": teams_id or f"29:{key}",
                        "aadObjectId": key,
                        "name": name,
                        "tenantId": "t1",
                    },
                    "meeting": {"inMeeting": kind == "join", "role": "Attendee"},
                }
            ]
        },
    }
