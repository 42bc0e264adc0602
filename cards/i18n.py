"""Message catalogs: every sentence a user sees lives in ``cards/locales/<locale>/<feature>.json``.

Catalogs are flat JSON objects (one file per feature, merged) of dotted ids to ``str.format``
templates. A plural entry is an object ``{"one": "...", "other": "..."}`` chosen with
:meth:`Translator.plural`. fr-CA is the default; English is available. Code and templates hold
only ids.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

logger = logging.getLogger(__name__)

DEFAULT_LOCALE = "fr-CA"
SUPPORTED_LOCALES = ("fr-CA", "en")
_CatalogValue = str | dict[str, str]


class MissingMessage(KeyError):
    """A message id is absent from a catalog (a programming error, caught by tests)."""


def normalize_locale(raw: str | None) -> str | None:
    """Map an activity or preference locale (``fr``, ``fr-ca``, ``en-US``…) to a supported one."""
    if not raw:
        return None
    lang = raw.replace("_", "-").split("-")[0].casefold()
    if lang == "fr":
        return "fr-CA"
    if lang == "en":
        return "en"
    return None


def choose_locale(*candidates: str | None) -> str:
    """First supported locale among the candidates (preference, activity, community default)."""
    for candidate in candidates:
        locale = normalize_locale(candidate)
        if locale:
            return locale
    return DEFAULT_LOCALE


class CatalogError(ValueError):
    """Two catalog files of one language define the same id."""


@cache
def load_catalog(locale: str) -> dict[str, _CatalogValue]:
    """Every ``cards/locales/<locale>/*.json`` file (one per feature) merged into one catalog."""
    folder = resources.files("cards").joinpath("locales", locale)
    catalog: dict[str, _CatalogValue] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        part: dict[str, _CatalogValue] = json.loads(entry.read_text("utf-8"))
        clash = catalog.keys() & part.keys()
        if clash:
            raise CatalogError(f"{locale}/{entry.name} redefines {sorted(clash)}")
        catalog.update(part)
    return catalog


@dataclass(frozen=True)
class Translator:
    locale: str

    @property
    def babel_locale(self) -> str:
        return self.locale.replace("-", "_")

    def __call__(self, key: str, /, **values: Any) -> str:
        entry = load_catalog(self.locale).get(key)
        if entry is None:
            raise MissingMessage(f"{self.locale}:{key}")
        if isinstance(entry, dict):
            entry = entry["other"]
        return entry.format(**values) if values else entry

    def plural(self, key: str, count: float, /, **values: Any) -> str:
        entry = load_catalog(self.locale).get(key)
        if not isinstance(entry, dict):
            raise MissingMessage(f"{self.locale}:{key} (plural)")
        form = "one" if _is_singular(self.locale, count) else "other"
        return entry[form].format(count=count, **values)

    def has(self, key: str) -> bool:
        return key in load_catalog(self.locale)


def _is_singular(locale: str, count: float) -> bool:
    # French uses the singular below 2 (0, 1, 1,5 h); English only for exactly 1.
    return 0 <= count < 2 if locale.startswith("fr") else count == 1


def translator(locale: str | None) -> Translator:
    return Translator(choose_locale(locale))


def all_translations(key: str) -> dict[str, str]:
    """The message in every supported locale (used for command words and manifest strings)."""
    return {locale: Translator(locale)(key) for locale in SUPPORTED_LOCALES}


def fold(text: str) -> str:
    """Case- and accent-insensitive form used to match command words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()
