"""The fr-CA and en catalogs hold the same ids, the same placeholders, no empty message, and
every id the code or a template names."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from cards.i18n import SUPPORTED_LOCALES, choose_locale, fold, load_catalog

ROOT = Path(__file__).resolve().parents[2]


def _placeholders(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def _flat(locale: str) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in load_catalog(locale).items():
        if isinstance(value, dict):
            for form, text in value.items():
                flat[f"{key}#{form}"] = text
        else:
            flat[key] = value
    return flat


def test_same_ids_in_every_language() -> None:
    fr, en = (set(load_catalog(loc)) for loc in SUPPORTED_LOCALES)
    assert fr - en == set(), "ids missing in en"
    assert en - fr == set(), "ids missing in fr-CA"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_no_empty_message(locale: str) -> None:
    assert [k for k, v in _flat(locale).items() if not v.strip()] == []


def test_same_placeholders_in_every_language() -> None:
    fr, en = _flat("fr-CA"), _flat("en")
    differ = {k for k in fr if k in en and _placeholders(fr[k]) != _placeholders(en[k])}
    assert differ == set()


def _ids_named_in_code() -> set[str]:
    pattern = re.compile(
        r"""(?:\bt|\.t|\bsay|DomainError|translator\([^)]*\))\(\s*f?["']([a-z_]+\.[a-z0-9_.-]+)["']"""
    )
    named: set[str] = set()
    for folder in ("bot", "dialogs", "cards"):
        for path in (ROOT / folder).rglob("*.py"):
            named |= set(pattern.findall(path.read_text("utf-8")))
    for path in (ROOT / "cards" / "templates").glob("*.json"):
        named |= set(re.findall(r"\$\{i18n:([a-zA-Z0-9_.-]+)\}", path.read_text("utf-8")))
    return named


def test_every_id_named_in_code_exists() -> None:
    named = _ids_named_in_code()
    assert named, "the scan found nothing: the pattern is broken"
    assert named - set(load_catalog("fr-CA")) == set()


def test_catalogs_are_valid_json_objects() -> None:
    for locale in SUPPORTED_LOCALES:
        files = sorted((ROOT / "cards" / "locales" / locale).glob("*.json"))
        assert files
        for path in files:
            assert isinstance(json.loads(path.read_text("utf-8")), dict), path.name


def test_every_feature_file_exists_in_every_language() -> None:
    names = [
        sorted(p.name for p in (ROOT / "cards" / "locales" / loc).glob("*.json"))
        for loc in SUPPORTED_LOCALES
    ]
    assert names[0] == names[1]


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        (("en", "fr-CA", "fr-CA"), "en"),
        ((None, "en-US", "fr-CA"), "en"),
        ((None, "fr-FR", "en"), "fr-CA"),
        ((None, None, None), "fr-CA"),
        (("", "de-DE", "en"), "en"),
    ],
)
def test_locale_choice(candidates: tuple[str | None, ...], expected: str) -> None:
    assert choose_locale(*candidates) == expected


def test_fold_ignores_case_and_accents() -> None:
    assert fold("AIDE") == fold("Aide") == "aide"
    assert fold("Présences") == "presences"
