"""The onboarding rules, case by case: form reading, arrivals, due dates, digest, search,
roster import, mentions, links and the flattening of « mes données »."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cards.i18n import fold
from dialogs.onboarding import rules
from dialogs.onboarding.rules import (
    Arrival,
    BadFormData,
    Helper,
    ImportVocabulary,
    RowOutcome,
    Step,
)
from storage.profile_repository import MemberProfile

TZ = ZoneInfo("America/Montreal")
NOW = datetime(2024, 5, 7, 14, 0, tzinfo=UTC)  # Tuesday, 10 h in Montréal
COMMITTEES = ("ch", "clsc")
LOCALES = ("fr-CA", "en")
GOOD_FORM = {
    "discipline": "psychologist",
    "institution": "  Hôpital   Charles-Le Moyne ",
    "institution_kind": "ch",
    "territory": "Longueuil",
    "committees": "clsc,ch",
    "expertise": "soins palliatifs; deuil\nsoins palliatifs, proches aidants",
    "locale": "fr-CA",
    "in_directory": "true",
}


# ---- the profile form ------------------------------------------------------------------------


def test_a_good_form_is_read_and_normalised() -> None:
    draft, errors = rules.read_profile_form(GOOD_FORM, COMMITTEES, LOCALES)
    assert errors == {}
    assert draft.institution == "Hôpital Charles-Le Moyne"
    assert draft.committee_ids == ("ch", "clsc")  # in the profile's order
    assert draft.expertise == ("soins palliatifs", "deuil", "proches aidants")
    assert draft.in_directory is True


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"discipline": ""}, "discipline", "required"),
        ({"institution": "   "}, "institution", "required"),
        ({"institution_kind": ""}, "institution_kind", "required"),
        ({"committees": ""}, "committees", "required"),
        ({"locale": ""}, "locale", "required"),
        ({"institution": "x" * 121}, "institution", "too_long"),
        ({"territory": "x" * 81}, "territory", "too_long"),
        ({"expertise": ",".join(f"mot{i}" for i in range(16))}, "expertise", "too_many_tags"),
        ({"expertise": "x" * 61}, "expertise", "tag_too_long"),
    ],
)
def test_fixable_problems_are_reported_by_field(changes: dict, field: str, code: str) -> None:
    _, errors = rules.read_profile_form({**GOOD_FORM, **changes}, COMMITTEES, LOCALES)
    assert errors == {field: code}


@pytest.mark.parametrize(
    "changes",
    [
        {"discipline": "hacker"},
        {"institution_kind": "castle"},
        {"committees": "ch,unknown"},
        {"committees": "ch,ch"},
        {"locale": "de"},
        {"institution": ["a list"]},
        {"expertise": 42},
        {"in_directory": "maybe"},
    ],
)
def test_tampered_values_are_refused(changes: dict) -> None:
    with pytest.raises(BadFormData):
        rules.read_profile_form({**GOOD_FORM, **changes}, COMMITTEES, LOCALES)


def test_draft_round_trips_through_card_data() -> None:
    draft, _ = rules.read_profile_form(GOOD_FORM, COMMITTEES, LOCALES)
    again, errors = rules.read_profile_form(draft.as_data(), COMMITTEES, LOCALES)
    assert (again, errors) == (draft, {})


def test_apply_draft_marks_the_profile_as_the_members_own() -> None:
    draft, _ = rules.read_profile_form(GOOD_FORM, COMMITTEES, LOCALES)
    saved = rules.apply_draft(MemberProfile("k"), draft, NOW)
    assert saved.profile_saved_at == NOW
    assert saved.discipline == "psychologist"
    assert saved.committee_ids == ("ch", "clsc")


# ---- where a member stands -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "version", "missing"),
    [
        (MemberProfile("k"), 1, (Step.profile, Step.rules)),
        (MemberProfile("k", profile_saved_at=NOW), 1, (Step.rules,)),
        (MemberProfile("k", profile_saved_at=NOW, rules_version=1), 1, ()),
        (MemberProfile("k", profile_saved_at=NOW, rules_version=1), 2, (Step.rules,)),
        (MemberProfile("k", rules_version=3), 2, (Step.profile,)),
    ],
)
def test_missing_steps(profile: MemberProfile, version: int, missing: tuple) -> None:
    assert rules.missing_steps(profile, version) == missing


@pytest.mark.parametrize(
    ("existing", "arrival"),
    [
        (None, Arrival.new),
        (MemberProfile("k"), Arrival.new),  # recorded (import, team roster) but never welcomed
        (MemberProfile("k", welcomed_at=NOW), Arrival.known),
        (MemberProfile("k", welcomed_at=NOW, departed_on=date(2024, 1, 1)), Arrival.returning),
        (MemberProfile("k", departed_on=date(2024, 1, 1)), Arrival.returning),
    ],
)
def test_arrival_kind(existing: MemberProfile | None, arrival: Arrival) -> None:
    assert rules.arrival_of(existing) == arrival


@pytest.mark.parametrize(
    ("asked", "current", "expected"),
    [(None, 1, False), (1, 1, False), (1, 2, True), (2, 1, False), (1, 3, True)],
)
def test_rules_are_asked_again_only_when_the_version_went_up(
    asked: int | None, current: int, expected: bool
) -> None:
    assert rules.rules_to_ask(asked, current) is expected


def test_who_is_asked_the_rules_again() -> None:
    profiles = [
        MemberProfile("old", rules_version=1),
        MemberProfile("done", rules_version=2),
        MemberProfile("gone", rules_version=1, departed_on=date(2024, 1, 1)),
        MemberProfile("email:x@example.org", rules_version=0),
        MemberProfile("never"),
    ]
    assert rules.members_to_ask_rules(profiles, 2) == ["never", "old"]


@pytest.mark.parametrize(
    ("profile", "version", "changed"),
    [
        (None, 2, False),
        (MemberProfile("k"), 2, False),  # never accepted: first reading, not a change
        (MemberProfile("k", rules_version=1), 2, True),
        (MemberProfile("k", rules_version=2), 2, False),
    ],
)
def test_rules_changed_for(profile: MemberProfile | None, version: int, changed: bool) -> None:
    assert rules.rules_changed_for(profile, version) is changed


# ---- when things are due ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Tuesday + 14 days = Tuesday, 10 h Montréal.
        (NOW, 14, datetime(2024, 5, 21, 10, 0, tzinfo=TZ)),
        # Tuesday + 4 days = Saturday → Monday.
        (NOW, 4, datetime(2024, 5, 13, 10, 0, tzinfo=TZ)),
        # Late evening in Montréal is already the next day in UTC: the local date counts.
        (datetime(2024, 5, 8, 3, 0, tzinfo=UTC), 1, datetime(2024, 5, 8, 10, 0, tzinfo=TZ)),
    ],
)
def test_followup_due(start: datetime, days: int, due: datetime) -> None:
    assert rules.followup_due(start, days, TZ) == due


@pytest.mark.parametrize(
    ("value", "days"),
    [
        (14, 14),
        ("21", 21),
        (" 7 ", 7),
        (0, None),
        (91, None),
        ("x", None),
        (True, None),
        (None, None),
    ],
)
def test_valid_followup_days(value: object, days: int | None) -> None:
    assert rules.valid_followup_days(value) == days


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2024, 5, 7, 11, 0, tzinfo=UTC), datetime(2024, 5, 7, 8, 0, tzinfo=TZ)),
        (datetime(2024, 5, 7, 12, 0, tzinfo=UTC), datetime(2024, 5, 7, 8, 0, tzinfo=TZ)),
        (datetime(2024, 5, 7, 12, 1, tzinfo=UTC), datetime(2024, 5, 8, 8, 0, tzinfo=TZ)),
    ],
)
def test_next_digest_at(now: datetime, expected: datetime) -> None:
    assert rules.next_digest_at(now, TZ) == expected


def _p(key: str, **fields: object) -> MemberProfile:
    return MemberProfile(key, name=key.capitalize(), **fields)  # type: ignore[arg-type]


def test_digest_reports_yesterday() -> None:
    today = date(2024, 5, 7)  # a Tuesday
    profiles = [
        _p("anne", arrived_on=date(2024, 5, 6)),
        _p("bob", arrived_on=date(2024, 5, 7)),  # today: tomorrow's digest
        _p("chloe", arrived_on=date(2024, 1, 6), departed_on=date(2024, 5, 6)),
        _p("dan", arrived_on=date(2023, 1, 1), returned_on=date(2024, 5, 6), welcomed_at=NOW),
        _p("eve", arrived_on=date(2024, 4, 20), profile_saved_at=NOW, rules_version=1),
    ]
    digest = rules.build_digest(profiles, today, None, rules_version=1)
    assert digest.covers == (date(2024, 5, 6), date(2024, 5, 6))
    assert [p.key for p in digest.arrivals] == ["anne", "dan"]
    assert [p.key for p in digest.departures] == ["chloe"]
    assert [(p.key, steps) for p, steps in digest.incomplete] == [
        ("anne", (Step.profile, Step.rules)),
        ("bob", (Step.profile, Step.rules)),
    ]
    assert digest.worth_sending


def test_digest_covers_the_days_since_the_last_one() -> None:
    profiles = [_p("anne", arrived_on=date(2024, 5, 4))]
    digest = rules.build_digest(profiles, date(2024, 5, 7), date(2024, 5, 3), 1)
    assert digest.covers == (date(2024, 5, 4), date(2024, 5, 6))
    assert [p.key for p in digest.arrivals] == ["anne"]


@pytest.mark.parametrize(
    ("today", "worth"),
    [(date(2024, 5, 6), True), (date(2024, 5, 7), False)],  # Monday, Tuesday
)
def test_incomplete_onboardings_alone_are_reported_on_mondays(today: date, worth: bool) -> None:
    profiles = [_p("anne", arrived_on=date(2024, 4, 20))]
    digest = rules.build_digest(profiles, today, today - timedelta(days=1), 1)
    assert digest.incomplete
    assert digest.worth_sending is worth


# ---- « qui peut m'aider ? » ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Soins palliatifs", ["soin", "palliatif"]),
        ("soin palliatif", ["soin", "palliatif"]),
        ("SOINS PALLIATIVES", ["soin", "palliatif"]),
        ("qui peut m'aider en soins palliatifs ?", ["soin", "palliatif"]),
        ("travailleuses sociales", ["travailleur", "social"]),
        ("travailleur social", ["travailleur", "social"]),
        ("services sociaux", ["servic", "social"]),  # « service » too
        ("Infirmière", ["infirmier"]),
        ("therapies", ["therapy"]),
        ("who can help with grief", ["grief"]),
        ("?!", []),
    ],
)
def test_search_terms(text: str, terms: list[str]) -> None:
    assert rules.search_terms(text) == terms


def _helper(key: str, expertise: tuple[str, ...] = (), **fields: str) -> Helper:
    return Helper(
        key=key,
        name=fields.get("name", key),
        email=f"{key}@example.org",
        expertise=expertise,
        discipline=fields.get("discipline", ""),
        institution=fields.get("institution", ""),
        territory=fields.get("territory", ""),
    )


DIRECTORY = [
    _helper("julie", ("Soins palliatifs", "deuil"), discipline="Infirmière Nurse"),
    _helper("marc", ("soins infirmiers à domicile",), territory="Longueuil"),
    _helper("lea", ("oncologie pédiatrique",), institution="CLSC Longueuil Centre"),
    _helper("paul", ("palliative care",), discipline="Psychologue Psychologist"),
    _helper("zoe", (), institution="Maison de soins palliatifs Victor-Gadbois"),
]


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("soins palliatifs", ["julie", "zoe"]),  # full matches only; expertise before institution
        ("SOIN PALLIATIF", ["julie", "zoe"]),
        ("palliative", ["julie", "paul", "zoe"]),
        ("Longueuil", ["lea", "marc"]),
        ("onco", ["lea"]),  # a word's beginning
        ("infirmière", ["marc", "julie"]),  # expertise (infirmiers) before discipline
        ("psychologue", ["paul"]),
        ("deuils", ["julie"]),
        ("astrophysique", []),
        ("", []),
    ],
)
def test_rank_helpers(query: str, keys: list[str]) -> None:
    assert [m.helper.key for m in rules.rank_helpers(query, DIRECTORY)] == keys


def test_ranking_prefers_covering_every_word_then_the_expertise() -> None:
    directory = [
        _helper("a", ("soins",)),
        _helper("b", ("deuil",), discipline="soins"),
        _helper("c", ("soins", "deuil")),
    ]
    assert [m.helper.key for m in rules.rank_helpers("soins deuil", directory)] == ["c", "b"]


def test_ranking_is_capped() -> None:
    many = [_helper(f"m{i:02d}", ("deuil",)) for i in range(25)]
    assert len(rules.rank_helpers("deuil", many)) == rules.MAX_HELPERS


# ---- links and mentions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("emails", "link"),
    [
        (
            ["julie.roy@example.org"],
            "https://teams.microsoft.com/l/chat/0/0?users=julie.roy@example.org",
        ),
        (
            ["a@example.org", " ", "b+c@example.org"],
            "https://teams.microsoft.com/l/chat/0/0?users=a@example.org,b%2Bc@example.org",
        ),
    ],
)
def test_chat_link(emails: list[str], link: str) -> None:
    assert rules.chat_link(emails) == link


def test_mentioned_people_skip_the_bot_repeats_and_junk() -> None:
    entities = [
        {"type": "mention", "mentioned": {"id": "28:bot", "name": "Veilleuse"}},
        {"type": "clientInfo", "locale": "fr-CA"},
        {"type": "mention", "mentioned": {"id": "29:a", "name": "Anne", "aadObjectId": "aad-a"}},
        {"type": "mention", "mentioned": "not an object"},
        {"type": "mention", "mentioned": {"id": "29:a", "name": "Anne"}},
        {"type": "Mention", "mentioned": {"id": "29:b"}},
    ]
    found = rules.mentioned_people(entities, "28:bot")
    assert [(m.teams_user_id, m.name, m.aad_object_id) for m in found] == [
        ("29:a", "Anne", "aad-a"),
        ("29:b", "", ""),
    ]


# ---- the roster import -----------------------------------------------------------------------


VOCABULARY = ImportVocabulary(
    headers={
        "nom": "name",
        "courriel": "email",
        "discipline": "discipline",
        "comites": "committees",
        "type d'etablissement": "institution_kind",
        "etablissement": "institution",
        "arrivee": "arrived_on",
        "statut": "status",
    },
    disciplines={"psychologue": "psychologist", "ts": "social_worker"},
    kinds={"clsc": "clsc", "ch": "ch"},
    committees={"ch": "ch", "comite des clsc": "clsc", "clsc": "clsc"},
)
TODAY = date(2024, 5, 7)


def _plan(text: str, existing: list[MemberProfile] | None = None) -> rules.ImportPlan:
    return rules.plan_import(text, VOCABULARY, existing or [], NOW, TODAY)


@pytest.mark.parametrize(
    ("row", "reasons"),
    [
        ("Julie Roy;julie.roy@example.org;Psychologue;Comité des CLSC", ()),
        ("Julie Roy;julie.roy@example;Psychologue;CH", ("bad_email",)),
        (";julie.roy@example.org;;CH", ("missing_name",)),
        ("Julie Roy;julie.roy@example.org;Astronaute;CH", ("unknown_discipline",)),
        ("Julie Roy;julie.roy@example.org;TS;CH | Comité X", ("unknown_committee",)),
        (
            "Julie;pas un courriel;Astronaute;Z",
            ("bad_email", "unknown_discipline", "unknown_committee"),
        ),
    ],
)
def test_each_row_is_checked(row: str, reasons: tuple[str, ...]) -> None:
    plan = _plan(f"Nom;Courriel;Discipline;Comités\n{row}\n")
    assert plan.problem == ""
    (result,) = plan.rows
    assert result.reasons == reasons
    assert (result.outcome == RowOutcome.rejected) is bool(reasons)
    assert (result.profile is None) is bool(reasons)


def test_an_import_creates_updates_and_rejects() -> None:
    existing = [
        MemberProfile("aad-1", name="Anne Teams", email="Anne@Example.org", teams_user_id="29:a"),
        MemberProfile(
            "aad-2",
            name="Bob",
            email="bob@example.org",
            discipline="nurse",
            profile_saved_at=NOW,
        ),
    ]
    text = (
        "\ufeffNom\tCourriel\tDiscipline\tÉtablissement\tArrivée\tTéléphone\n"
        "Anne Roster\tanne@example.org\tTS\tCLSC Longueuil\t2023-09-01\t555\n"
        "Bob\tbob@example.org\tPsychologue\tHôpital\t\t\n"
        "Chloé Côté\tchloe@example.org\t\t\t2030-01-01\t\n"
        "Dan\tdan@example.org\t\t\t\t\n"
        "Dan bis\tDAN@example.org\t\t\t\t\n"
        "\t\t\t\t\t\n"
    )
    plan = _plan(text, existing)
    outcomes = [(r.line, r.outcome, r.reasons) for r in plan.rows]
    assert outcomes == [
        (2, RowOutcome.updated, ()),
        (3, RowOutcome.updated, ()),
        (4, RowOutcome.rejected, ("bad_date",)),
        (5, RowOutcome.created, ()),
        (6, RowOutcome.rejected, ("duplicate_email",)),
    ]
    assert plan.ignored_columns == ("Téléphone",)
    assert plan.counts[RowOutcome.created] == 1
    anne, bob, dan = plan.to_save()
    # Teams' name is kept; the blanks are filled.
    assert (anne.key, anne.name, anne.discipline, anne.institution) == (
        "aad-1",
        "Anne Teams",
        "social_worker",
        "CLSC Longueuil",
    )
    assert anne.arrived_on == date(2023, 9, 1)
    # Bob filled his own profile: only his blanks are filled, his discipline stays.
    assert (bob.discipline, bob.institution) == ("nurse", "Hôpital")
    assert (dan.key, dan.source, dan.email) == (
        "email:dan@example.org",
        "import",
        "dan@example.org",
    )


def test_importing_the_same_list_twice_changes_nothing() -> None:
    text = "Nom,Courriel,Comités\nAnne,anne@example.org,CH\n"
    first = _plan(text)
    second = _plan(text, first.to_save())
    assert [r.outcome for r in second.rows] == [RowOutcome.unchanged]
    assert second.to_save() == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no_header"),
        ("\n\n", "no_header"),
        ("Nom;Discipline\nAnne;TS\n", "missing_columns"),
        ("x" * (rules.MAX_IMPORT_CHARS + 1), "too_long"),
        ("Nom;Courriel\n" + "A;a@example.org\n" * (rules.MAX_IMPORT_ROWS + 1), "too_many_rows"),
    ],
)
def test_unusable_lists_are_refused_whole(text: str, problem: str) -> None:
    plan = _plan(text)
    assert plan.problem == problem
    assert plan.to_save() == []


def test_quoted_cells_keep_their_separators() -> None:
    text = 'Nom,Courriel,Comités\n"Roy, Julie",julie@example.org,"CH, Comité des CLSC"\n'
    (row,) = _plan(text).rows
    assert row.profile is not None
    assert (row.name, row.profile.committee_ids) == ("Roy, Julie", ("ch", "clsc"))


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [("Nom;Courriel", ";"), ("Nom,Courriel", ","), ("Nom\tCourriel", "\t"), ("Nom", ",")],
)
def test_sniff_delimiter(header: str, delimiter: str) -> None:
    assert rules.sniff_delimiter(header) == delimiter


def test_split_tags() -> None:
    assert rules.split_tags("Deuil, deuil ; soins  palliatifs\n|  ") == (
        "Deuil",
        "soins palliatifs",
    )


# ---- « mes données » -------------------------------------------------------------------------


def test_flatten() -> None:
    data = {
        "profile": {"discipline": "nurse", "committees": ["ch", "clsc"], "in_directory": False},
        "rsvps": [{"meeting": "m1", "choice": None}],
    }
    assert rules.flatten(data) == [
        ("profile.discipline", "nurse"),
        ("profile.committees", "ch, clsc"),
        ("profile.in_directory", "✗"),
        ("rsvps [1].meeting", "m1"),
        ("rsvps [1].choice", "—"),
    ]


def test_fold_is_what_the_vocabulary_expects() -> None:
    # The import vocabulary is keyed by folded words; the header « Comités » must reach it.
    assert fold("Comités") == "comites"
    assert next(csv.reader(io.StringIO("Comités;x"), delimiter=";"))[0] == "Comités"
