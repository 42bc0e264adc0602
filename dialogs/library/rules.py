"""The library's rules as plain functions: no I/O, no clock, no wording (codes only).

- the share form: what a resource holds, how the card's inputs are read and checked, which links
  are accepted (https only);
- the search: the words of « qui » (onboarding: folded, stemmed, accent- and plural-tolerant),
  matched against title, themes and description, most useful first;
- « utile »: a set of member keys, so a double click counts once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from cards.i18n import fold
from cards.library import RESOURCE_KINDS
from cards.topics import KIND_CODES
from dialogs.onboarding.queries import search_terms, split_tags
from storage.resource_repository import Resource

KINDS = RESOURCE_KINDS
VOLETS = KIND_CODES  # the meeting's volets: one vocabulary with the topic bank
TITLE_MIN, TITLE_MAX = 3, 150
URL_MAX = 500
THEMES_MAX = 200
DESCRIPTION_MAX = 600
MAX_THEMES = 8
MAX_RESULTS = 15
WEIGHTS = {"title": 3.0, "themes": 3.0, "description": 1.0}
PREFIX_FACTOR = 0.5


class BadCardData(ValueError):
    """Card data that no card of ours sends (tampered or stale): the field's name."""


@dataclass(frozen=True)
class Draft:
    title: str
    url: str
    kind: str
    themes: tuple[str, ...]
    volet: str
    description: str

    def texts(self) -> dict[str, str]:
        """The free texts the de-identification guard reads."""
        return {"title": self.title, "description": self.description}


def _text(data: Mapping[str, Any], name: str, limit: int) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadCardData(name)
    return value.strip()[:limit]


def valid_link(url: str) -> bool:
    """An https link to a named host: no other scheme, no spaces, no user:password@."""
    if not url or len(url) > URL_MAX or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a bad port
    except ValueError:
        return False
    host = parts.hostname or ""
    return (
        parts.scheme.lower() == "https"
        and "." in host.strip(".")
        and "@" not in parts.netloc
        and (port is None or port > 0)
    )


def read_form(data: Mapping[str, Any]) -> tuple[Draft, str]:
    """The form's values and the first problem (a code of ``library.problem.*``, "" when none)."""
    title = " ".join(_text(data, "title", TITLE_MAX).split())
    url = _text(data, "url", URL_MAX)
    kind = _text(data, "kind", 20)
    volet = _text(data, "volet", 20)
    themes = split_tags(_text(data, "themes", THEMES_MAX))[:MAX_THEMES]
    description = _text(data, "description", DESCRIPTION_MAX)
    if kind and kind not in KINDS:
        raise BadCardData("kind")
    if volet and volet not in VOLETS:
        raise BadCardData("volet")
    draft = Draft(title, url, kind, themes, volet, description)
    if len(title) < TITLE_MIN:
        return draft, "title_length"
    if not valid_link(url):
        return draft, "link"
    if not kind:
        return draft, "kind_missing"
    if not themes:
        return draft, "themes_missing"
    return draft, ""


def themes_text(themes: Sequence[str]) -> str:
    return ", ".join(themes)


# ---- search -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    resource: Resource
    coverage: int  # how many of the query's words matched
    score: float


def _field_words(resource: Resource) -> dict[str, list[str]]:
    return {
        "title": search_terms(resource.title),
        "themes": [w for tag in resource.themes for w in search_terms(tag)],
        "description": search_terms(resource.description),
    }


def score(terms: Sequence[str], resource: Resource) -> Found:
    words = _field_words(resource)
    coverage, total = 0, 0.0
    for term in terms:
        best = 0.0
        for name, found in words.items():
            if term in found:
                best = max(best, WEIGHTS[name])
            elif len(term) >= 4 and any(w.startswith(term) for w in found):
                best = max(best, WEIGHTS[name] * PREFIX_FACTOR)
        if best:
            coverage += 1
            total += best
    return Found(resource, coverage, total)


@dataclass(frozen=True)
class Filters:
    kind: str  # "" for every kind
    volet: str  # "" for every volet
    words: str  # what is left to search for


def read_filters(
    query: str, kind_words: Mapping[str, str], volet_words: Mapping[str, str]
) -> Filters:
    """``ressources outil deuil`` / ``resources tool grief``: a word naming a kind or a volet
    (folded; ``*_words`` map folded words to codes) filters, the other words are searched."""
    kind = volet = ""
    rest: list[str] = []
    for word in query.split():
        folded = fold(word)
        if not kind and folded in kind_words:
            kind = kind_words[folded]
        elif not volet and folded in volet_words:
            volet = volet_words[folded]
        else:
            rest.append(word)
    return Filters(kind, volet, " ".join(rest))


def search(
    query: str,
    resources: Iterable[Resource],
    limit: int = MAX_RESULTS,
    *,
    kind: str = "",
    volet: str = "",
) -> list[Resource]:
    """Resources matching the query (all of them for an empty query), most useful first;
    only those of ``kind`` and ``volet`` when given.

    When some match every word, only those; then by words matched, « utile » marks, relevance,
    newest, title."""
    terms = list(dict.fromkeys(search_terms(query)))
    pool = [
        r for r in resources if (not kind or r.kind == kind) and (not volet or r.volet == volet)
    ]
    if not terms:
        found = [Found(r, 0, 0.0) for r in pool]
    else:
        found = [f for f in (score(terms, r) for r in pool) if f.coverage]
        if any(f.coverage == len(terms) for f in found):
            found = [f for f in found if f.coverage == len(terms)]
    found.sort(key=lambda f: (fold(f.resource.title), f.resource.id))
    found.sort(key=lambda f: f.resource.created_at, reverse=True)
    found.sort(key=lambda f: (-f.coverage, -f.resource.useful_count, -f.score))
    return [f.resource for f in found[:limit]]


def with_useful(resource: Resource, member_key: str) -> Resource:
    """The resource marked useful by the member (a set: marking twice changes nothing)."""
    if resource.useful_for(member_key):
        return resource
    return replace(resource, useful_by=(*resource.useful_by, member_key))
