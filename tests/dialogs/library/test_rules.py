"""The library's rules: the form, https links, the search (folding, plurals, ranking), « utile »."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dialogs.library import rules
from storage.resource_repository import Attachment, Resource


def resource(
    resource_id: str, title: str, themes: tuple[str, ...] = (), **changes: object
) -> Resource:
    base = Resource(
        id=resource_id,
        title=title,
        url="https://example.org/x",
        kind="tool",
        themes=themes,
        volet="",
        description="",
        author_key="alice",
        author_name="Alice Martin",
        created_at="2024-04-02T14:00:00+00:00",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


FORM = {
    "title": "  Outil de détection  de la détresse ",
    "url": "https://publications.msss.gouv.qc.ca/outil.pdf",
    "kind": "tool",
    "themes": "Détresse, soins palliatifs; détresse",
    "volet": "formatif",
    "description": "Au premier contact.",
}


@pytest.mark.parametrize(
    "url",
    [
        "https://www.msss.gouv.qc.ca/guide",
        "https://example.org",
        "HTTPS://Example.org/a?b=1#c",
        "https://example.org:8443/x",
    ],
)
def test_https_links_to_a_named_host_are_accepted(url: str) -> None:
    assert rules.valid_link(url)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://example.org",
        "javascript:alert(1)",
        "ftp://example.org/f",
        "https://localhost/x",
        "https://user:pw@example.org/x",
        "https://exa mple.org",
        "https://example.org:99999/",
        "example.org/guide",
        "https://" + "a" * 500 + ".org",
    ],
)
def test_other_links_are_refused(url: str) -> None:
    assert not rules.valid_link(url)


def test_the_form_is_read_trimmed_and_themes_are_folded_like_expertise() -> None:
    draft, problem = rules.read_form(FORM)
    assert problem == ""
    assert draft.title == "Outil de détection de la détresse"
    assert draft.themes == ("Détresse", "soins palliatifs")
    assert draft.volet == "formatif"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"title": "ab"}, "title_length"),
        ({"url": "http://example.org"}, "link"),
        ({"kind": ""}, "kind_missing"),
        ({"themes": " , ;"}, "themes_missing"),
    ],
)
def test_form_problems(changes: dict[str, str], problem: str) -> None:
    assert rules.read_form({**FORM, **changes})[1] == problem


@pytest.mark.parametrize("changes", [{"kind": "poster"}, {"volet": "autre"}, {"title": 3}])
def test_tampered_form_data_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(rules.BadCardData):
        rules.read_form({**FORM, **changes})


def test_the_volets_are_the_topic_banks() -> None:
    assert rules.VOLETS == ("formatif", "echange", "reflexif", "divers")


def test_search_is_accent_and_plural_tolerant_across_fields() -> None:
    palliative = resource("p", "Guide", ("Soins palliatifs",))
    detresse = resource("d", "Outil de détection de la détresse")
    grief = resource("g", "Repères", description="Pour accompagner le deuil des adolescents.")
    pool = [palliative, detresse, grief]
    assert rules.search("soin palliatif", pool) == [palliative]
    assert rules.search("DETRESSE", pool) == [detresse]
    assert rules.search("adolescent", pool) == [grief]
    assert rules.search("palliative care", pool) == [palliative]  # English stem meets French
    assert rules.search("cardiologie", pool) == []


def test_most_useful_first_among_full_matches() -> None:
    little = resource("a", "Deuil et enfants", useful_by=("x",))
    much = resource("b", "Deuil en soins palliatifs", useful_by=("x", "y", "z"))
    partial = resource("c", "Enfants", useful_by=("x", "y", "z", "w"))
    found = rules.search("deuil enfants", [much, little, partial])
    assert found == [little]  # only those matching every word
    assert rules.search("deuil", [little, much]) == [much, little]


def test_an_empty_query_lists_everything_most_useful_then_newest_first() -> None:
    old = resource("o", "Ancien", created_at="2024-01-01T00:00:00+00:00")
    new = resource("n", "Nouveau", created_at="2024-05-01T00:00:00+00:00")
    liked = resource("l", "Aimé", useful_by=("x",), created_at="2023-01-01T00:00:00+00:00")
    assert rules.search("", [old, new, liked]) == [liked, new, old]


def test_useful_is_a_set_a_second_mark_changes_nothing() -> None:
    first = rules.with_useful(resource("a", "Deuil"), "bob")
    again = rules.with_useful(first, "bob")
    assert again is first
    assert first.useful_count == 1


def test_the_sharer_does_not_count_for_their_own_resource() -> None:
    shared = resource("a", "Deuil")  # shared by alice
    assert rules.with_useful(shared, "alice") is shared
    assert rules.with_useful(shared, "alice").useful_count == 0


def test_kind_and_volet_words_filter_and_the_rest_is_searched() -> None:
    kinds, volets = (
        {"outil": "tool", "tool": "tool"},
        {"formatif": "formatif", "training": "formatif"},
    )
    assert rules.read_filters("Outil deuil FORMATIF", kinds, volets) == rules.Filters(
        "tool", "formatif", "deuil"
    )
    assert rules.read_filters("deuil", kinds, volets) == rules.Filters("", "", "deuil")
    tool = resource("t", "Deuil", kind="tool", volet="formatif")
    article = resource("a", "Deuil", kind="article", volet="formatif")
    assert rules.search("deuil", [tool, article], kind="tool") == [tool]
    assert rules.search("", [tool, article], volet="echange") == []


# ---- files of the team ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "host", "expected"),
    [
        ("https://cisss.sharepoint.com/sites/cdep/Documents/outil.docx", "", True),
        ("https://cisss-my.sharepoint.com/personal/x/outil.docx", "", True),
        ("https://teams.microsoft.com/l/file/ABC?tenantId=t1&fileType=pdf", "", True),
        ("https://teams.microsoft.com/l/meetup-join/19%3ameeting", "", False),  # not a file
        ("https://sharepoint.com/sites/x", "", False),
        ("https://evil.com/.sharepoint.com/x", "", False),
        ("https://cisss.sharepoint.com.evil.com/x", "", False),
        ("http://cisss.sharepoint.com/sites/x", "", False),  # https only
        ("https://cisss.sharepoint.com/sites/x", "cisss.sharepoint.com", True),
        ("https://cisss-my.sharepoint.com/personal/x", "cisss.sharepoint.com", True),
        ("https://autre.sharepoint.com/sites/x", "cisss.sharepoint.com", False),  # other tenant
        ("https://teams.microsoft.com/l/file/ABC", "cisss.sharepoint.com", True),
    ],
)
def test_team_file_links(url: str, host: str, expected: bool) -> None:
    assert rules.is_team_file(url, host) is expected


def test_a_document_needs_a_team_file_link() -> None:
    outside = {**FORM, "kind": "document"}
    assert rules.read_form(outside)[1] == "document_link"
    inside = {**outside, "url": "https://cisss.sharepoint.com/sites/cdep/outil.pdf"}
    assert rules.read_form(inside)[1] == ""
    assert rules.read_form(inside, "autre.sharepoint.com")[1] == "document_link"
    # Any other kind may still point at a file of the team.
    assert rules.read_form({**inside, "kind": "tool"})[1] == ""


# ---- validation -------------------------------------------------------------------------------


def test_status_on_share() -> None:
    assert rules.status_on_share(validation=False, by_animateur=False) == "listed"
    assert rules.status_on_share(validation=True, by_animateur=False) == "pending"
    assert rules.status_on_share(validation=True, by_animateur=True) == "listed"


def test_review_only_from_pending() -> None:
    waiting = resource("a", "Guide", status="pending")
    approved = rules.reviewed(waiting, True, "2024-04-03T10:00:00+00:00")
    assert approved is not None
    assert (approved.status, approved.listed_at) == ("listed", "2024-04-03T10:00:00+00:00")
    refused = rules.reviewed(waiting, False, "2024-04-03T10:00:00+00:00", "Lien brisé")
    assert refused is not None
    assert (refused.status, refused.refused_reason, refused.listed_at) == (
        "refused",
        "Lien brisé",
        "",
    )
    # The second animateur's answer changes nothing.
    assert rules.reviewed(approved, False, "2024-04-03T11:00:00+00:00", "x") is None
    assert rules.reviewed(refused, True, "2024-04-03T11:00:00+00:00") is None
    assert rules.listed([waiting, approved, refused]) == [approved]


def test_reason_is_read_from_the_resource_input() -> None:
    assert rules.read_reason({"reason_a": "  Lien\n brisé "}, "a") == "Lien brisé"
    assert rules.read_reason({}, "a") == ""
    assert len(rules.read_reason({"reason_a": "x" * 900}, "a")) == rules.REASON_MAX
    with pytest.raises(rules.BadCardData):
        rules.read_reason({"reason_a": ["x"]}, "a")


# ---- essentials and attachments ---------------------------------------------------------------


def test_essentials_are_listed_ones_by_title() -> None:
    found = rules.essentials(
        [
            resource("1", "Zèbre", essential=True),
            resource("2", "Ábaque", essential=True),
            resource("3", "Caché", essential=True, status="pending"),
            resource("4", "Ordinaire"),
        ]
    )
    assert [r.id for r in found] == ["2", "1"]
    assert rules.with_essential(found[0], False).essential is False


def test_who_may_attach() -> None:
    mine = resource("1", "Guide")
    assert rules.can_attach(mine, "alice", is_animateur=False)
    assert not rules.can_attach(mine, "bob", is_animateur=False)
    assert rules.can_attach(mine, "bob", is_animateur=True)
    assert not rules.can_attach(replace(mine, author_key=""), "", is_animateur=False)
    assert not rules.can_attach(replace(mine, status="pending"), "bob", is_animateur=True)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("topic:t1", ("topic", "t1", "")),
        ("meeting:m1:09:30", ("meeting", "m1", "09:30")),
    ],
)
def test_targets(code: str, expected: tuple[str, str, str]) -> None:
    assert rules.read_target(code) == expected


@pytest.mark.parametrize(
    "code",
    [
        "",
        "topic:",
        "topic:a:b",
        "meeting:m1",
        "meeting:m1:25:00",
        "meeting:m1:9:30",
        "meeting::09:30",
        "poll:p1",
        12,
        None,
        "meeting:m1:0a:30",
    ],
)
def test_tampered_targets(code: object) -> None:
    with pytest.raises(rules.BadCardData):
        rules.read_target(code)


def test_attachments_are_a_set_and_read_by_slot() -> None:
    slot = Attachment("meeting", "m1", "13:30", "Volet formatif")
    morning = Attachment("meeting", "m1", "09:00", "Accueil")
    guide = rules.with_attachment(resource("1", "Guide"), slot)
    assert guide is not None
    assert rules.with_attachment(guide, slot) is None  # already there
    article = rules.with_attachment(resource("2", "Article"), morning)
    assert article is not None
    topic = rules.with_attachment(guide, Attachment("topic", "t1"))
    assert topic is not None
    pairs = rules.attached_to([topic, article], "meeting", "m1")
    assert [(a.slot, r.id) for a, r in pairs] == [("09:00", "2"), ("13:30", "1")]
    assert [r.id for _, r in rules.attached_to([topic, article], "topic", "t1")] == ["1"]
    assert rules.attached_to([replace(topic, status="pending")], "topic", "t1") == []
    removed = rules.without_attachment(topic, "topic:t1")
    assert removed is not None
    assert removed.attachments == (slot,)
    assert rules.without_attachment(removed, "topic:t1") is None


def test_attachments_are_bounded() -> None:
    full = resource("1", "Guide")
    for i in range(rules.MAX_ATTACHMENTS):
        full = rules.with_attachment(full, Attachment("topic", f"t{i}")) or full
    assert len(full.attachments) == rules.MAX_ATTACHMENTS
    assert rules.with_attachment(full, Attachment("topic", "one-more")) is None


# ---- the weekly digest ------------------------------------------------------------------------

MONTREAL = ZoneInfo("America/Montreal")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # A Wednesday → the next Monday, 9 h EST (14 h UTC).
        (datetime(2024, 1, 10, 15, 0, tzinfo=UTC), datetime(2024, 1, 15, 14, 0, tzinfo=UTC)),
        # Monday before 9 h → today; at 9 h sharp → today; after → next week.
        (datetime(2024, 1, 15, 13, 0, tzinfo=UTC), datetime(2024, 1, 15, 14, 0, tzinfo=UTC)),
        (datetime(2024, 1, 15, 14, 0, tzinfo=UTC), datetime(2024, 1, 15, 14, 0, tzinfo=UTC)),
        (datetime(2024, 1, 15, 14, 1, tzinfo=UTC), datetime(2024, 1, 22, 14, 0, tzinfo=UTC)),
        # Across the spring change (10 March 2024): 9 h EDT is 13 h UTC.
        (datetime(2024, 3, 8, 12, 0, tzinfo=UTC), datetime(2024, 3, 11, 13, 0, tzinfo=UTC)),
        # Across the fall change (3 November 2024): back to 14 h UTC.
        (datetime(2024, 11, 1, 12, 0, tzinfo=UTC), datetime(2024, 11, 4, 14, 0, tzinfo=UTC)),
        # Sunday 23 h 30 local is already Monday in UTC: still the coming Monday.
        (datetime(2024, 1, 15, 4, 30, tzinfo=UTC), datetime(2024, 1, 15, 14, 0, tzinfo=UTC)),
    ],
)
def test_next_digest_is_monday_9h_local(now: datetime, expected: datetime) -> None:
    assert rules.next_digest_at(now, MONTREAL) == expected


def test_digest_window() -> None:
    now = datetime(2024, 1, 15, 14, 0, tzinfo=UTC)
    assert rules.digest_since(None, now) == now - timedelta(days=7)
    assert rules.digest_since("not a date", now) == now - timedelta(days=7)
    mark = "2024-01-08T14:00:00+00:00"
    assert rules.digest_since(mark, now) == datetime(2024, 1, 8, 14, 0, tzinfo=UTC)
    since = rules.digest_since(mark, now)
    found = rules.added_between(
        [
            resource("old", "Avant", listed_at="2024-01-08T13:59:59+00:00"),
            resource("edge", "Au début", listed_at="2024-01-08T14:00:00+00:00"),
            resource("b", "Mardi", listed_at="2024-01-09T10:00:00+00:00"),
            resource("late", "Maintenant", listed_at="2024-01-15T14:00:00+00:00"),
            resource("wait", "En attente", status="pending", listed_at=""),
            # No listed_at (shared before validation existed): its share time counts.
            resource("legacy", "Ancienne", created_at="2024-01-10T10:00:00+00:00"),
        ],
        since,
        now,
    )
    assert [r.id for r in found] == ["edge", "b", "legacy"]
    # The next window starts where this one ended: nothing is reported twice.
    again = rules.added_between(
        [resource("b", "Mardi", listed_at="2024-01-09T10:00:00+00:00")],
        rules.digest_since(now.isoformat(), now),
        now,
    )
    assert again == []


def test_a_missed_digest_is_caught_up_but_not_on_a_first_start() -> None:
    monday = datetime(2024, 3, 11, 13, 0, tzinfo=UTC)  # 9 h EDT
    sent_last_week = "2024-03-04T14:00:00+00:00"
    assert rules.missed_digest(sent_last_week, monday + timedelta(hours=2), MONTREAL)
    assert rules.missed_digest(sent_last_week, monday + timedelta(days=3), MONTREAL)
    assert not rules.missed_digest(sent_last_week, monday - timedelta(minutes=1), MONTREAL)
    assert not rules.missed_digest(monday.isoformat(), monday + timedelta(hours=2), MONTREAL)
    assert not rules.missed_digest(None, monday + timedelta(hours=2), MONTREAL)
    assert not rules.missed_digest("garbage", monday + timedelta(hours=2), MONTREAL)


def test_essential_word_filters() -> None:
    kinds = {"outil": "tool"}
    found = rules.read_filters("Essentiels deuil", kinds, {}, {"essentiel", "essential"})
    assert found == rules.Filters("", "", "deuil", essential=True)
    assert rules.read_filters("essential", kinds, {}, {"essentiel", "essential"}).essential
    assert not rules.read_filters("deuil", kinds, {}, {"essentiel"}).essential
