"""Message catalogs: every sentence a user sees lives in ``cards/locales/<locale>/<feature>.json``.

Catalogs are flat JSON objects (one file per feature, merged) of dotted ids to ``str.format``
templates. A plural entry is an object ``{"one": "...", "other": "..."}`` chosen with
:meth:`Translator.plural`. fr-CA is the default; English is available. Code and templates hold
only ids.

French typography (Québec usage, Office québécois de la langue française, « Espacement avant
et après les signes de ponctuation »): a no-break space (U+00A0) after « , before » and before
the colon; a narrow no-break space (U+202F, « espace fine insécable ») before ; ! and ?. The
catalogs are written with ordinary spaces (or none before ; ! ?); :func:`french_typography`
applies these rules once, when a fr-CA catalog is loaded, so every message, card and PDF gets
them and values filled into a message (names, titles typed by users) are left as they are.
English is untouched.
"""

from __future__ import annotations

import json
import logging
import re
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
    """First supported locale among the candidates, in the order given."""
    for candidate in candidates:
        locale = normalize_locale(candidate)
        if locale:
            return locale
    return DEFAULT_LOCALE


def member_locale(chosen: str | None, community: str | None, client: str | None) -> str:
    """The language Veilleuse uses with someone: their own choice (``langue …`` or the help
    card's button) first, then the community's language, then their Teams client's locale. A
    CdeP that works in French answers in French a clinician whose Teams runs in English, and
    offers the switch once (:func:`language_to_offer`)."""
    return choose_locale(chosen, community, client)


def language_to_offer(chosen: str | None, community: str | None, client: str | None) -> str | None:
    """The client's language, when it differs from the one in use and the member never chose."""
    if normalize_locale(chosen):
        return None
    wanted = normalize_locale(client)
    if wanted is None or wanted == member_locale(chosen, community, client):
        return None
    return wanted


NBSP = "\u00a0"  # espace insécable: « x », x :
NNBSP = "\u202f"  # espace fine insécable: x ; x ! x ?

# Left alone: format fields ({count}, {value:.1f}), addresses (https://…?x=1).
_PROTECTED = re.compile(r"\{[^{}]*\}|\b[a-z][a-z0-9+.-]*://\S+")
_OPENING = re.compile(r"«[ \t\u00a0\u202f]*")
_CLOSING = re.compile(r"[ \t\u00a0\u202f]*»")
# A colon, semicolon, ! or ? that ends a word (followed by a space, a quote, a bracket or the
# end): « 09:00 » and « ?x=1 » are not punctuation.
_SPACES = "[ \t\u00a0\u202f]"
_COLON = re.compile(rf"(?:(?<=\S){_SPACES}*|^{_SPACES}+):(?=\s|$|[»)\]])")
_TIGHT = re.compile(rf"(?:(?<=\S){_SPACES}*|^{_SPACES}+)([;!?]+)(?=\s|$|[»)\]*.,:])")


def french_typography(text: str) -> str:
    """The spaces French typography wants around « » : ; ! ? (see the module docstring)."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\ue000{len(kept) - 1}\ue001"

    spaced = _french_spaces(_PROTECTED.sub(keep, text))
    return re.sub("\ue000(\\d+)\ue001", lambda m: kept[int(m.group(1))], spaced)


def _french_spaces(text: str) -> str:
    text = _OPENING.sub("«" + NBSP, text)
    text = _CLOSING.sub(NBSP + "»", text)
    text = _COLON.sub(NBSP + ":", text)
    return _TIGHT.sub(lambda m: NNBSP + m.group(1), text)


def _typeset(locale: str, value: _CatalogValue) -> _CatalogValue:
    if not locale.startswith("fr"):
        return value
    if isinstance(value, dict):
        return {form: french_typography(text) for form, text in value.items()}
    return french_typography(value)


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
        catalog.update({key: _typeset(locale, value) for key, value in part.items()})
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
