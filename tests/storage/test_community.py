from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from storage.community import (
    PROFILE_FILE,
    CommunityProfileError,
    ProfileFile,
    example_text,
    load_profile,
    parse_profile,
)


def test_first_run_creates_the_profile_from_the_example(tmp_path: Path) -> None:
    profile = load_profile(tmp_path / "data")
    assert (tmp_path / "data" / PROFILE_FILE).read_text("utf-8") == example_text()
    assert profile.short_name == "CdeP Montérégie"
    assert [c.id for c in profile.committees] == ["ch", "clsc"]
    assert profile.rules.version == 1
    assert profile.small_group_threshold == 5
    assert profile.mandate.get("fr-CA").startswith("Participer")
    assert profile.mandate.get("en").startswith("Take part")


def test_animateurs_by_aad_id_or_email() -> None:
    profile = parse_profile(tomllib.loads(example_text()))
    assert profile.is_animateur("6F1C2A4E-8B7D-4C3A-9E21-0A5B7C9D1E01", None)
    assert profile.is_animateur(None, "Marc-Andre.Tremblay@cdep-monteregie.example")
    assert not profile.is_animateur("6f1c2a4e-8b7d-4c3a-9e21-0a5b7c9d1e05", "x@y.example")
    assert not profile.is_animateur(None, None)


def _broken(**changes: object) -> dict[str, object]:
    raw = tomllib.loads(example_text())
    raw.update(changes)
    return raw


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (_broken(short_name=""), "short_name"),
        (_broken(rules={"version": 0, "items": ["x"]}), "rules.version"),
        (_broken(committees=[{"id": "Bad Id", "name": "x"}]), "committees[0].id"),
        (_broken(animateurs=[{"name": "Sans courriel"}]), "animateurs[0]"),
        (_broken(welcome_links=[{"title": "x", "url": "http://insecure"}]), "welcome_links[0].url"),
        (_broken(privacy={"small_group_threshold": 2}), "privacy.small_group_threshold"),
        (_broken(unknown_section=1), "(racine/root)"),
    ],
)
def test_bad_profile_names_the_field(raw: dict[str, object], field: str) -> None:
    with pytest.raises(CommunityProfileError) as caught:
        parse_profile(raw)
    assert caught.value.field == field


def test_missing_required_field_is_named() -> None:
    raw = tomllib.loads(example_text())
    del raw["napperon"]
    with pytest.raises(CommunityProfileError, match="napperon"):
        parse_profile(raw)


def test_duplicate_committee_ids_refused() -> None:
    raw = _broken(committees=[{"id": "ch", "name": "a"}, {"id": "ch", "name": "b"}])
    with pytest.raises(CommunityProfileError, match="committees"):
        parse_profile(raw)


def test_toml_syntax_error_is_reported(tmp_path: Path) -> None:
    (tmp_path / PROFILE_FILE).write_text("name = \n", "utf-8")
    with pytest.raises(CommunityProfileError) as caught:
        load_profile(tmp_path)
    assert caught.value.field == "(syntax)"


def test_failed_reload_keeps_the_previous_profile(tmp_path: Path) -> None:
    holder = ProfileFile(tmp_path)
    path = tmp_path / PROFILE_FILE
    path.write_text(path.read_text("utf-8").replace("version = 1", "version = 2"), "utf-8")
    assert holder.reload().rules.version == 2
    path.write_text("broken = [", "utf-8")
    with pytest.raises(CommunityProfileError):
        holder.reload()
    assert holder.current.rules.version == 2


@pytest.mark.parametrize(
    ("polls", "expected"),
    [
        (None, False),
        ({}, False),
        ({"members_can_create": False}, False),
        ({"members_can_create": True}, True),
    ],
)
def test_members_may_create_polls_only_when_the_profile_says_so(
    polls: dict[str, object] | None, expected: bool
) -> None:
    raw = tomllib.loads(example_text())
    raw.pop("polls", None)
    if polls is not None:
        raw["polls"] = polls
    assert parse_profile(raw).members_can_create_polls is expected


def test_the_example_keeps_poll_creation_to_animateurs() -> None:
    raw = tomllib.loads(example_text())
    assert raw["polls"] == {"members_can_create": False}
    assert parse_profile(raw).members_can_create_polls is False


@pytest.mark.parametrize(
    ("polls", "field"),
    [
        ({"members_can_create": "oui"}, "polls.members_can_create"),
        ({"members_can_create": 1}, "polls.members_can_create"),
        ({"members_can_vote": True}, "polls"),
        ("true", "polls"),
    ],
)
def test_bad_polls_section_names_the_field(polls: object, field: str) -> None:
    with pytest.raises(CommunityProfileError) as caught:
        parse_profile(_broken(polls=polls))
    assert caught.value.field == field
