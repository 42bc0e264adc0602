"""The library's rules: the form, https links, the search (folding, plurals, ranking), « utile »."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dialogs.library import rules
from storage.resource_repository import Resource


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
