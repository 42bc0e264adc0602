"""The library's rules as plain functions: no I/O, no clock, no wording (codes only).

- the share form: what a resource holds, how the card's inputs are read and checked, which links
  are accepted (https only);
- the search: the words of « qui » (onboarding: folded, stemmed, accent- and plural-tolerant),
  matched against title, themes and description, most useful first;
- « utile »: a set of member keys, so a double click counts once;
- validation (optional in the profile): pending, then listed or refused with a reason;
- « essentiel », attachments to a topic or a meeting's agenda slot, the weekly digest's window.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, tzinfo
from typing import Any
from urllib.parse import urlsplit

from cards.i18n import fold
from cards.library import RESOURCE_KINDS
from cards.topics import KIND_CODES
from dialogs.onboarding.queries import search_terms, split_tags
from storage.resource_repository import LISTED, PENDING, REFUSED, Attachment, Resource
from storage.times import parse_utc

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
REASON_MAX = 300
MAX_ATTACHMENTS = 20
MAX_CHOICES = 40  # topics, and meeting slots, offered on the attach card
DIGEST_WEEKDAY, DIGEST_HOUR = 0, time(9, 0)  # Monday, 9 h community time
TEAMS_HOST = "teams.microsoft.com"


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


def is_team_file(url: str, sharepoint_host: str = "") -> bool:
    """A file already in the team's Files: an https link to the tenant's SharePoint (its host
    ``sharepoint_host`` and its OneDrive ``-my`` twin when the profile names it, else any
    ``*.sharepoint.com``) or a Teams file link (``https://teams.microsoft.com/l/file/…``)."""
    if not valid_link(url):
        return False
    parts = urlsplit(url)
    host = (parts.hostname or "").casefold()
    if host == TEAMS_HOST:
        return parts.path.casefold().startswith("/l/file/")
    wanted = sharepoint_host.casefold().strip()
    if wanted:
        tenant = wanted.removesuffix(".sharepoint.com")
        return host in (wanted, f"{tenant}-my.sharepoint.com")
    return host.endswith(".sharepoint.com") and host != "sharepoint.com"


def read_form(data: Mapping[str, Any], sharepoint_host: str = "") -> tuple[Draft, str]:
    """The form's values and the first problem (a code of ``library.problem.*``, "" when none).
    A « document » is a file of the team: its link must be one (``is_team_file``)."""
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
    if kind == "document" and not is_team_file(url, sharepoint_host):
        return draft, "document_link"
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
    essential: bool = False  # only the resources marked « essentiel »


def read_filters(
    query: str,
    kind_words: Mapping[str, str],
    volet_words: Mapping[str, str],
    essential_words: Iterable[str] = (),
) -> Filters:
    """``ressources outil deuil`` / ``resources tool grief``: a word naming a kind or a volet
    (folded; ``*_words`` map folded words to codes) filters, as does « essentiels »
    (``essential_words``, folded, singular and plural); the other words are searched."""
    kind = volet = ""
    essential = False
    essentials = set(essential_words)
    rest: list[str] = []
    for word in query.split():
        folded = fold(word)
        if not kind and folded in kind_words:
            kind = kind_words[folded]
        elif not volet and folded in volet_words:
            volet = volet_words[folded]
        elif not essential and (folded in essentials or folded.removesuffix("s") in essentials):
            essential = True
        else:
            rest.append(word)
    return Filters(kind, volet, " ".join(rest), essential)


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
    """The resource marked useful by the member (a set: marking twice changes nothing). The
    person who shared it does not count for their own resource (« les plus utiles d'abord »
    is what colleagues found useful)."""
    if resource.useful_for(member_key) or (member_key and member_key == resource.author_key):
        return resource
    return replace(resource, useful_by=(*resource.useful_by, member_key))


def listed(resources: Iterable[Resource]) -> list[Resource]:
    """What the library shows: neither pending nor refused."""
    return [r for r in resources if r.status == LISTED]


# ---- validation -------------------------------------------------------------------------------


def status_on_share(validation: bool, by_animateur: bool) -> str:
    """A share is listed at once, unless the community validates and a member shared it."""
    return PENDING if validation and not by_animateur else LISTED


def reviewed(resource: Resource, approve: bool, at: str, reason: str = "") -> Resource | None:
    """The pending resource listed (``listed_at`` = ``at``) or refused with ``reason``; None
    when it is no longer pending (another animateur answered first)."""
    if resource.status != PENDING:
        return None
    if approve:
        return replace(resource, status=LISTED, listed_at=at, refused_reason="")
    return replace(resource, status=REFUSED, refused_reason=reason)


def read_reason(data: Mapping[str, Any], resource_id: str) -> str:
    """The refusal's reason typed on the card (input ``reason_<id>``), one line, trimmed."""
    value = data.get(f"reason_{resource_id}", data.get("reason", ""))
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadCardData("reason")
    return " ".join(value.split())[:REASON_MAX]


# ---- essentials and attachments ---------------------------------------------------------------


def with_essential(resource: Resource, essential: bool) -> Resource:
    return replace(resource, essential=essential)


def essentials(resources: Iterable[Resource]) -> list[Resource]:
    """Listed resources marked « essentiel », by title."""
    return sorted(
        (r for r in listed(resources) if r.essential), key=lambda r: (fold(r.title), r.id)
    )


def can_attach(resource: Resource, member_key: str, is_animateur: bool) -> bool:
    """Animateurs and the member who shared it attach a listed resource."""
    return resource.listed and (
        is_animateur or bool(member_key) and resource.author_key == member_key
    )


def read_target(code: Any) -> tuple[str, str, str]:
    """A card's target: ``topic:<id>`` or ``meeting:<id>:<HH:MM>`` → (target, id, slot)."""
    if not isinstance(code, str) or not code or len(code) > 120:
        raise BadCardData("target")
    parts = code.split(":")
    if parts[0] == "topic" and len(parts) == 2 and parts[1]:
        return "topic", parts[1], ""
    if parts[0] == "meeting" and len(parts) == 4 and parts[1]:
        hours, minutes = parts[2], parts[3]
        digits = len(hours) == len(minutes) == 2 and (hours + minutes).isdigit()
        if digits and int(hours) < 24 and int(minutes) < 60:
            return "meeting", parts[1], f"{hours}:{minutes}"
    raise BadCardData("target")


def with_attachment(resource: Resource, attachment: Attachment) -> Resource | None:
    """The resource attached there too; None when it already is or has too many."""
    if any(a.code == attachment.code for a in resource.attachments):
        return None
    if len(resource.attachments) >= MAX_ATTACHMENTS:
        return None
    return replace(resource, attachments=(*resource.attachments, attachment))


def without_attachment(resource: Resource, code: str) -> Resource | None:
    kept = tuple(a for a in resource.attachments if a.code != code)
    return None if kept == resource.attachments else replace(resource, attachments=kept)


def attached_to(
    resources: Iterable[Resource], target: str, target_id: str
) -> list[tuple[Attachment, Resource]]:
    """Listed resources attached to that topic or meeting, with where: by slot, then title."""
    found = [
        (a, r)
        for r in listed(resources)
        for a in r.attachments
        if a.target == target and a.target_id == target_id
    ]
    found.sort(key=lambda pair: (pair[0].slot, fold(pair[1].title), pair[1].id))
    return found


# ---- the weekly digest ------------------------------------------------------------------------


def next_digest_at(now: datetime, tz: tzinfo) -> datetime:
    """The next Monday 9 h (community time) at or after ``now``, whatever the DST offset."""
    local = now.astimezone(tz)
    days = (DIGEST_WEEKDAY - local.weekday()) % 7
    moment = datetime.combine(local.date() + timedelta(days=days), DIGEST_HOUR, tzinfo=tz)
    if moment < local:
        moment = datetime.combine(moment.date() + timedelta(days=7), DIGEST_HOUR, tzinfo=tz)
    return moment


def missed_digest(mark: str | None, now: datetime, tz: tzinfo) -> bool:
    """The last Monday 9 h passed with no digest (Veilleuse was stopped then): catch up now.
    Never on a first start (no mark yet)."""
    if not mark:
        return False
    try:
        last = parse_utc(mark)
    except ValueError:
        return False
    coming = next_digest_at(now, tz)
    previous = datetime.combine(coming.date() - timedelta(days=7), DIGEST_HOUR, tzinfo=tz)
    return last < previous <= now


def digest_since(mark: str | None, now: datetime) -> datetime:
    """Where the digest's window starts: the last digest's mark, else a week before ``now``."""
    if mark:
        try:
            return parse_utc(mark)
        except ValueError:
            pass
    return now - timedelta(days=7)


def added_between(
    resources: Iterable[Resource], since: datetime, until: datetime
) -> list[Resource]:
    """Resources listed in ``[since, until)``, oldest first."""
    found = []
    for r in listed(resources):
        try:
            at = parse_utc(r.listed_at or r.created_at)
        except ValueError:
            continue
        if since <= at < until:
            found.append((at, r))
    found.sort(key=lambda x: (x[0], x[1].id))
    return [r for _, r in found]
