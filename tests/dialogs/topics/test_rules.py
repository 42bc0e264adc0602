"""The topic bank's rules, as tables."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from dialogs.topics import rules
from storage.case_repository import Case
from storage.topic_repository import Topic

AT = "2024-04-02T14:00:00+00:00"
NOW = datetime(2024, 5, 7, 12, 0, tzinfo=UTC)


def topic(topic_id: str = "t1", **changes: object) -> Topic:
    base = Topic(
        id=topic_id,
        title="Le deuil chez les adolescents",
        description="",
        kind="formatif",
        presenter="",
        proposer_key="alice",
        proposer_name="Alice",
        created_at="2024-04-01T10:00:00+00:00",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def case(**changes: object) -> Case:
    base = Case(
        id="c1",
        title="Proche aidant épuisé",
        context="Usager de 67 ans en soins palliatifs.",
        tried="",
        blocks="",
        question="Comment proposer du répit?",
        wishes=("advice",),
        desired_meeting_id="",
        submitter_key="alice",
        submitter_name="Alice",
        created_at=AT,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# ---- similarity ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "similar"),
    [
        ("Le deuil chez les adolescents", "le deuil chez les adolescents", True),
        ("Le deuil chez les adolescents", "LE DEUIL CHEZ LES ADOLESCENTS", True),
        ("Le deuil chez les adolescents", "Les adolescents et le deuil", True),  # word order
        ("Le deuil chez les adolescents", "Le deuil chez les adolescent", True),  # plural
        ("Le deuil chez les adolescents", "Le dueil chez les adolesents", True),  # typos
        ("Réflexion sur l'aide médicale à mourir", "reflexion sur l'aide medicale a mourir", True),
        ("Aide médicale à mourir et proches", "Les proches face à l'aide médicale à mourir", True),
        ("Soins palliatifs à domicile", "Les soins palliatifs pédiatriques", False),
        ("Le deuil chez les adolescents", "La sexualité après un cancer", False),
        ("Le deuil", "Le deuil blanc chez les proches aidants", False),  # one word in common
        ("Deuil chez les enfants", "Le deuil des enfants en soins palliatifs", True),  # contained
        ("Fatigue de compassion", "Fatigue chronique et cancer", False),
        ("Grief in teenagers", "Teenagers and grief", True),
        ("Burnout of caregivers", "Caregiver burnout", True),
        ("Art therapy", "Music therapy", False),
        ("", "Le deuil", False),
    ],
)
def test_similarity(first: str, second: str, similar: bool) -> None:
    score = rules.similarity(first, second)
    assert (score >= rules.SIMILARITY_THRESHOLD) is similar, score
    assert rules.similarity(second, first) == pytest.approx(score)


@pytest.mark.parametrize(
    ("a", "b", "limit", "distance"),
    [
        ("deuil", "deuil", 1, 0),
        ("deuil", "dueil", 1, 1),  # a swap of neighbours is one edit
        ("adolescents", "adolesents", 2, 1),
        ("chat", "chien", 1, 2),  # more than the limit: limit + 1
        ("a", "abcdef", 2, 3),
        ("soins", "sions", 2, 1),
    ],
)
def test_edit_distance(a: str, b: str, limit: int, distance: int) -> None:
    assert rules.edit_distance(a, b, limit) == distance


def test_tokens_fold_accents_drop_stop_words_and_plurals() -> None:
    assert rules.tokens("Les Soins PALLIATIFS à l'hôpital") == ["soin", "palliatif", "hopital"]
    assert rules.tokens("Hôpitaux") == ["hopital"]


def test_similar_topics_only_active_most_similar_first_excluding_seen() -> None:
    topics = [
        topic("t1", title="Le deuil chez les adolescents"),
        topic("t2", title="Deuil des adolescents", status="archived"),
        topic("t3", title="Adolescents en deuil et école", supporters=("x",)),
        topic("t4", title="La sexualité après un cancer"),
    ]
    found = rules.similar_topics("deuil adolescent", topics)
    assert [t.id for t in found] == ["t3", "t1"]  # equally similar: the most supported first
    assert [t.id for t in rules.similar_topics("deuil adolescent", topics, exclude=["t1"])] == [
        "t3"
    ]


# ---- drafts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"title": "Deuil", "kind": "formatif"}, None),
        ({"title": "  Deuil   des   ados ", "kind": "echange"}, None),
        ({"title": "ab", "kind": "formatif"}, "title_length"),
        ({"title": "x" * 121, "kind": "formatif"}, "title_length"),
        ({"title": "Deuil"}, "kind_missing"),
        ({"title": "Deuil", "kind": "divers", "description": "x" * 1501}, "description_length"),
        ({"title": "Deuil", "kind": "divers", "presenter": "x" * 121}, "presenter_length"),
    ],
)
def test_topic_draft(data: dict, problem: str | None) -> None:
    draft, found = rules.topic_draft(data)
    assert found == problem
    if problem is None:
        assert draft.title == " ".join(data["title"].split())


@pytest.mark.parametrize(
    "data",
    [
        {"title": ["Deuil"], "kind": "formatif"},
        {"title": "Deuil", "kind": "autre"},
        {"title": "Deuil", "kind": 3},
    ],
)
def test_topic_draft_refuses_tampered_data(data: dict) -> None:
    with pytest.raises(rules.BadCardData):
        rules.topic_draft(data)


CASE_OK = {
    "title": "Proche aidant épuisé",
    "context": "Usager de 67 ans en soins palliatifs.",
    "question": "Comment proposer du répit?",
    "wishes": "advice,supervision",
}


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({}, None),
        ({"context": "court"}, "context_length"),
        ({"question": ""}, "question_length"),
        ({"wishes": ""}, "wishes_missing"),
        ({"tried": "x" * 3001}, "text_too_long"),
        ({"title": "x"}, "title_length"),
    ],
)
def test_case_draft(changes: dict, problem: str | None) -> None:
    draft, found = rules.case_draft({**CASE_OK, **changes})
    assert found == problem
    if problem is None:
        assert draft.wishes == ("advice", "supervision")


@pytest.mark.parametrize(
    "changes", [{"wishes": "advice,money"}, {"meeting": "../etc"}, {"context": {"x": 1}}]
)
def test_case_draft_refuses_tampered_data(changes: dict) -> None:
    with pytest.raises(rules.BadCardData):
        rules.case_draft({**CASE_OK, **changes})


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("true", True), ("false", False)],
)
def test_flag_field(value: object, expected: bool) -> None:
    assert rules.flag_field({"on": value}, "on") is expected


@pytest.mark.parametrize("value", ["yes", 1, None, ["true"]])
def test_flag_field_refuses_other_values(value: object) -> None:
    with pytest.raises(rules.BadCardData):
        rules.flag_field({"on": value}, "on")


# ---- the guard on forms ----------------------------------------------------------------------


def test_screen_reports_per_field_and_allows_names_where_told() -> None:
    texts = {
        "title": "Mme Tremblay et le deuil",
        "description": "Rien d'identifiant ici.",
        "presenter": "Karine Michel, 514 555-0123",
    }
    screened = rules.screen(texts, ["Karine Michel"], names_allowed=["presenter"])
    assert [(s.field, [f.kind for f in s.findings]) for s in screened] == [
        ("title", ["name"]),
        ("presenter", ["phone"]),
    ]
    fixed = rules.redacted(texts, screened, {"name": "[NAME]"})
    assert fixed["title"] == "[NAME] et le deuil"
    assert fixed["description"] == texts["description"]
    assert fixed["presenter"] == "Karine Michel, [TÉLÉPHONE]"
    assert rules.screen(fixed, ["Karine Michel"], names_allowed=["presenter"]) == []


# ---- supports, merge, life of a topic --------------------------------------------------------


def test_support_is_a_set_not_a_toggle() -> None:
    t = topic()
    once = rules.with_support(t, "bob", True)
    twice = rules.with_support(once, "bob", True)
    assert once.supporters == twice.supporters == ("bob",)
    assert rules.with_support(twice, "bob", False).supporters == ()
    assert rules.with_support(t, "bob", False) is t


def test_merge_unites_supporters_counting_each_member_once() -> None:
    source = topic("s", supporters=("bob", "carol"), proposer_key="dan")
    target = topic("t", supporters=("carol", "erin"), proposer_key="alice")
    result = rules.merged(source, target, AT)
    assert result is not None
    new_source, new_target = result
    assert new_target.supporters == ("carol", "erin", "bob", "dan")
    assert (new_source.status, new_source.merged_into, new_source.supporters) == (
        "merged",
        "t",
        (),
    )


def test_merge_keeps_the_support_of_the_target_proposer_once() -> None:
    # Issue 19: a proposer may support their own topic; their support of the source stays.
    source = topic("s", supporters=("alice",), proposer_key="bob")
    target = topic("t", proposer_key="alice")
    result = rules.merged(source, target, AT)
    assert result is not None
    assert result[1].supporters == ("alice", "bob")
    # Proposing both topics is not a support of the target.
    same = rules.merged(topic("s", proposer_key="alice"), target, AT)
    assert same is not None
    assert same[1].supporters == ()


@pytest.mark.parametrize(
    ("source_status", "target_status", "same", "allowed"),
    [
        ("open", "open", False, True),
        ("scheduled", "open", False, True),
        ("open", "archived", False, False),
        ("merged", "open", False, False),
        ("open", "open", True, False),
    ],
)
def test_merge_allowed(source_status: str, target_status: str, same: bool, allowed: bool) -> None:
    source = topic("s", status=source_status)
    target = source if same else topic("t", status=target_status)
    assert (rules.merged(source, target, AT) is not None) is allowed


@pytest.mark.parametrize(
    ("change", "status", "result"),
    [
        (lambda t: rules.scheduled(t, "m1", AT), "open", "scheduled"),
        (lambda t: rules.scheduled(t, "m2", AT), "scheduled", "scheduled"),
        (lambda t: rules.scheduled(t, "m1", AT), "treated", None),
        (lambda t: rules.back_to_bank(t, AT), "scheduled", "open"),
        (lambda t: rules.back_to_bank(t, AT), "open", None),
        (lambda t: rules.treated(t, AT), "scheduled", "treated"),
        (lambda t: rules.treated(t, AT), "open", "treated"),
        (lambda t: rules.treated(t, AT), "archived", None),
        (lambda t: rules.archived(t, AT), "treated", "archived"),
        (lambda t: rules.archived(t, AT), "merged", None),
        (lambda t: rules.reopened(t, AT), "archived", "open"),
        (lambda t: rules.reopened(t, AT), "open", None),
    ],
)
def test_topic_transitions(change, status: str, result: str | None) -> None:  # type: ignore[no-untyped-def]
    changed = change(topic(status=status, meeting_id="m0" if status == "scheduled" else ""))
    assert (changed.status if changed else None) == result
    if changed is not None and result != "scheduled" and result != "treated":
        assert changed.meeting_id == ""


@pytest.mark.parametrize(
    ("status", "key", "animateur", "edit", "withdraw"),
    [
        ("open", "alice", False, True, True),
        ("open", "bob", False, False, False),
        ("open", "bob", True, True, False),
        ("scheduled", "alice", False, True, False),
        ("treated", "alice", False, False, False),
        ("treated", "bob", True, True, False),
        ("archived", "bob", True, False, False),
    ],
)
def test_who_may_edit_or_withdraw(
    status: str, key: str, animateur: bool, edit: bool, withdraw: bool
) -> None:
    t = topic(status=status)
    assert rules.can_edit(t, key, animateur) is edit
    assert rules.can_withdraw(t, key) is withdraw


def test_ranked_and_filtered() -> None:
    topics = [
        topic("a", supporters=("x",), created_at="2024-01-02"),
        topic("b", supporters=("x", "y"), created_at="2024-01-03", kind="echange"),
        topic("c", supporters=("x",), created_at="2024-01-01", status="scheduled"),
        topic("d", status="archived"),
        topic("e", status="merged"),
    ]
    assert [t.id for t in rules.ranked(rules.filtered(topics, "", "active"))] == ["b", "c", "a"]
    assert [t.id for t in rules.filtered(topics, "echange", "active")] == ["b"]
    assert [t.id for t in rules.filtered(topics, "", "archived")] == ["d"]
    assert [t.id for t in rules.filtered(topics, "", "scheduled")] == ["c"]


@pytest.mark.parametrize(
    ("count", "page", "expected"),
    [(0, 0, ([], 0, 1)), (5, 0, ([0, 1], 0, 3)), (5, 2, ([4], 2, 3)), (5, 9, ([4], 2, 3))],
)
def test_page_of(count: int, page: int, expected: tuple) -> None:
    assert rules.page_of(list(range(count)), page, 2) == expected


# ---- meetings and cases ----------------------------------------------------------------------


@dataclass(frozen=True)
class FakeMeeting:
    id: str = "m1"
    title: str = "Journée CLSC"
    starts_at: datetime = NOW + timedelta(days=1)
    ends_at: datetime = NOW + timedelta(days=1, hours=7)
    status: str = "planned"


@pytest.mark.parametrize(
    ("meeting", "over", "schedulable"),
    [
        (FakeMeeting(), False, True),
        (FakeMeeting(ends_at=NOW - timedelta(minutes=1)), True, False),
        (FakeMeeting(ends_at=NOW), True, False),
        (FakeMeeting(status="cancelled"), True, False),
        (FakeMeeting(status="done"), True, False),
        (None, True, False),
    ],
)
def test_meeting_over_and_schedulable(
    meeting: FakeMeeting | None, over: bool, schedulable: bool
) -> None:
    assert rules.meeting_over(meeting, NOW) is over
    assert rules.schedulable(meeting, NOW) is schedulable


@pytest.mark.parametrize(
    ("status", "key", "animateur", "visible", "withdraw"),
    [
        ("submitted", "alice", False, True, True),
        ("submitted", "bob", False, False, False),
        ("submitted", "bob", True, True, False),
        ("scheduled", "bob", False, True, False),
        ("scheduled", "alice", False, True, True),
        ("treated", "bob", False, True, False),
        ("treated", "alice", False, True, False),
        ("archived", "bob", False, False, False),
        ("archived", "alice", False, True, False),
    ],
)
def test_case_visibility(
    status: str, key: str, animateur: bool, visible: bool, withdraw: bool
) -> None:
    c = case(status=status)
    assert rules.can_see_case(c, key, animateur) is visible
    assert rules.can_withdraw_case(c, key) is withdraw


def test_case_transitions_and_queue_order() -> None:
    c = case()
    on_agenda = rules.case_scheduled(c, "m1", AT)
    assert on_agenda is not None
    assert (on_agenda.status, on_agenda.meeting_id) == ("scheduled", "m1")
    back = rules.case_back_to_queue(on_agenda, AT)
    assert back is not None
    assert (back.status, back.meeting_id) == ("submitted", "")
    assert rules.case_treated(case(status="archived"), AT) is None
    assert rules.case_archived(case(status="archived"), AT) is None
    cases = [
        case(id="old-treated", status="treated", created_at="2024-01-01"),
        case(id="new", created_at="2024-03-01"),
        case(id="old", created_at="2024-02-01"),
    ]
    assert [c.id for c in rules.queue_order(cases)] == ["old", "new", "old-treated"]
