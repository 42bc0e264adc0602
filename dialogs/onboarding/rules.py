"""The onboarding rules as plain functions: no I/O, no clock, no wording (codes only).

- the profile form: what a member may choose, how the card's inputs are read and checked;
- where a newcomer stands (profile, rules), what an arrival is (new, returning, known);
- when the follow-up and the daily digest are due, and when a digest is worth sending;
- « qui peut m'aider ? »: words folded, stemmed and matched, members ranked;
- the roster import: CSV text read, every row checked, a plan of what would change;
- small helpers: Teams chat links, mentions, the flattening of « mes données ».
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from cards.i18n import fold
from cards.onboarding import DISCIPLINE_CODES, EXPORT_COLUMNS, KIND_CODES
from storage.profile_repository import MemberProfile, imported_key

# ---- what a profile holds ----------------------------------------------------------------

# The codes the profile form offers (labels: catalog onboarding.discipline.* / kind.*).
DISCIPLINES = DISCIPLINE_CODES
INSTITUTION_KINDS = KIND_CODES
# Abbreviations seen in Québec rosters, for the import (folded).
DISCIPLINE_ALIASES = {
    "ts": "social_worker",
    "t.s.": "social_worker",
    "travailleur social": "social_worker",
    "travailleuse sociale": "social_worker",
    "tts": "social_service_technician",
    "t.t.s.": "social_service_technician",
    "arh": "human_relations_officer",
    "a.r.h.": "human_relations_officer",
    "inf": "nurse",
    "infirmier": "nurse",
    "infirmiere": "nurse",
    "md": "physician",
    "medecin": "physician",
    "psy": "psychologist",
}
KIND_ALIASES = {
    "centre hospitalier": "ch",
    "hopital": "ch",
    "hospital": "ch",
    "maison de soins palliatifs": "palliative_home",
    "msp": "palliative_home",
    "organisme communautaire": "community_org",
}

MAX_NAME = 120
MAX_INSTITUTION = 120
MAX_TERRITORY = 80
MAX_TAG = 60
MAX_TAGS = 15
MAX_EXPERTISE_TEXT = 600

FOLLOWUP_DAYS_DEFAULT = 14
FOLLOWUP_DAYS_RANGE = (1, 90)
FOLLOWUP_HOUR = time(10, 0)
DIGEST_HOUR = time(8, 0)
NEWCOMER_DAYS = 90  # how long after arrival an incomplete onboarding is still reported
RULES_CHECK_EVERY = timedelta(minutes=15)


class BadFormData(ValueError):
    """Card data no genuine card could send (wrong type, a choice not offered)."""


@dataclass(frozen=True)
class ProfileDraft:
    """What the member entered, before they confirm."""

    discipline: str = ""
    institution: str = ""
    institution_kind: str = ""
    territory: str = ""
    committee_ids: tuple[str, ...] = ()
    expertise: tuple[str, ...] = ()
    locale: str = ""
    in_directory: bool = False
    resource_person: bool = False

    def as_data(self) -> dict[str, str]:
        """The draft as card input values (and as the confirm button's data)."""
        return {
            "discipline": self.discipline,
            "institution": self.institution,
            "institution_kind": self.institution_kind,
            "territory": self.territory,
            "committees": ",".join(self.committee_ids),
            "expertise": ", ".join(self.expertise),
            "locale": self.locale,
            "in_directory": "true" if self.in_directory else "false",
            "resource_person": "true" if self.resource_person else "false",
        }


def draft_of(profile: MemberProfile | None, locale: str) -> ProfileDraft:
    if profile is None:
        return ProfileDraft(locale=locale)
    return ProfileDraft(
        discipline=profile.discipline,
        institution=profile.institution,
        institution_kind=profile.institution_kind,
        territory=profile.territory,
        committee_ids=profile.committee_ids,
        expertise=profile.expertise,
        locale=locale,
        in_directory=profile.in_directory,
        resource_person=profile.resource_person,
    )


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadFormData(name)
    return " ".join(value.split())


def _flag(data: Mapping[str, Any], name: str) -> bool:
    value = data.get(name, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.casefold() in ("true", "false", ""):
        return value.casefold() == "true"
    raise BadFormData(name)


def split_tags(text: str) -> tuple[str, ...]:
    """Free tags from ``a, b; c`` or one per line: trimmed, without duplicates (folded)."""
    seen: set[str] = set()
    tags: list[str] = []
    for part in re.split(r"[,;\n|]", text):
        tag = " ".join(part.split())
        if tag and fold(tag) not in seen:
            seen.add(fold(tag))
            tags.append(tag)
    return tuple(tags)


def read_profile_form(
    data: Mapping[str, Any], committee_ids: Sequence[str], locales: Sequence[str]
) -> tuple[ProfileDraft, dict[str, str]]:
    """The draft and the problems a member can fix (field → code: ``required``,
    ``too_long``, ``too_many_tags``, ``tag_too_long``, ``needed_for_resource_person``). Raises
    BadFormData on tampering."""
    discipline = _text(data, "discipline")
    kind = _text(data, "institution_kind")
    locale = _text(data, "locale")
    committees = tuple(c for c in _text(data, "committees").replace(" ", "").split(",") if c)
    if discipline and discipline not in DISCIPLINES:
        raise BadFormData("discipline")
    if kind and kind not in INSTITUTION_KINDS:
        raise BadFormData("institution_kind")
    if locale and locale not in locales:
        raise BadFormData("locale")
    if any(c not in committee_ids for c in committees) or len(set(committees)) != len(committees):
        raise BadFormData("committees")
    expertise_text = data.get("expertise", "")
    if expertise_text is not None and not isinstance(expertise_text, str):
        raise BadFormData("expertise")
    tags = split_tags(expertise_text or "")
    draft = ProfileDraft(
        discipline=discipline,
        institution=_text(data, "institution"),
        institution_kind=kind,
        territory=_text(data, "territory"),
        committee_ids=tuple(c for c in committee_ids if c in committees),
        expertise=tags,
        locale=locale,
        in_directory=_flag(data, "in_directory"),
        resource_person=_flag(data, "resource_person"),
    )
    errors: dict[str, str] = {}
    for name in ("discipline", "institution", "institution_kind", "locale"):
        if not getattr(draft, name):
            errors[name] = "required"
    if not draft.committee_ids:
        errors["committees"] = "required"
    if len(draft.institution) > MAX_INSTITUTION:
        errors["institution"] = "too_long"
    if len(draft.territory) > MAX_TERRITORY:
        errors["territory"] = "too_long"
    if len(expertise_text or "") > MAX_EXPERTISE_TEXT or len(tags) > MAX_TAGS:
        errors["expertise"] = "too_many_tags"
    elif any(len(tag) > MAX_TAG for tag in tags):
        errors["expertise"] = "tag_too_long"
    elif draft.resource_person and not tags:
        # Requests are routed on the expertise's themes: without any, none would ever come.
        errors["expertise"] = "needed_for_resource_person"
    return draft, errors


def apply_draft(profile: MemberProfile, draft: ProfileDraft, now: datetime) -> MemberProfile:
    return replace(
        profile,
        discipline=draft.discipline,
        institution=draft.institution,
        institution_kind=draft.institution_kind,
        territory=draft.territory,
        committee_ids=draft.committee_ids,
        expertise=draft.expertise,
        in_directory=draft.in_directory,
        resource_person=draft.resource_person,
        profile_saved_at=now,
        updated_at=now,
    )


# ---- where a member stands --------------------------------------------------------------


class Step(StrEnum):
    profile = "profile"
    rules = "rules"


def missing_steps(profile: MemberProfile, rules_version: int) -> tuple[Step, ...]:
    """What the member still has to do: confirm a profile, acknowledge the current rules."""
    missing: list[Step] = []
    if profile.profile_saved_at is None:
        missing.append(Step.profile)
    if profile.rules_version < rules_version:
        missing.append(Step.rules)
    return tuple(missing)


class Arrival(StrEnum):
    new = "new"  # never welcomed: send the welcome dossier
    returning = "returning"  # had left: welcome back
    known = "known"  # already here and welcomed: nothing to send


def arrival_of(existing: MemberProfile | None) -> Arrival:
    if existing is None or existing.welcomed_at is None:
        return Arrival.new if existing is None or existing.is_active else Arrival.returning
    return Arrival.known if existing.is_active else Arrival.returning


def rules_changed_for(profile: MemberProfile | None, rules_version: int) -> bool:
    """The member acknowledged an older version: show them what changed."""
    return profile is not None and 0 < profile.rules_version < rules_version


def members_to_ask_rules(profiles: Iterable[MemberProfile], rules_version: int) -> list[str]:
    """Keys of the active members (reachable in Teams) who have not acknowledged
    ``rules_version``."""
    return sorted(
        p.key
        for p in profiles
        if p.is_active and not p.is_imported_only and p.rules_version < rules_version
    )


def rules_to_ask(asked_version: int | None, current_version: int) -> bool:
    """Ask everyone again only when the version went up after we first saw it."""
    return asked_version is not None and current_version > asked_version


# ---- when things are due ----------------------------------------------------------------


def _business_morning(day: date, at: time, tz: tzinfo) -> datetime:
    while day.weekday() >= 5:  # Saturday, Sunday → Monday
        day += timedelta(days=1)
    return datetime.combine(day, at, tzinfo=tz)


def followup_due(start: datetime, days: int, tz: tzinfo) -> datetime:
    """``days`` after ``start`` (arrival, or mentor assignment when the arrival is unknown),
    at 10 h on a weekday, community time."""
    local = start.astimezone(tz)
    return _business_morning(local.date() + timedelta(days=days), FOLLOWUP_HOUR, tz)


def valid_followup_days(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        days = int(str(value).strip())
    except ValueError:
        return None
    low, high = FOLLOWUP_DAYS_RANGE
    return days if low <= days <= high else None


def next_digest_at(now: datetime, tz: tzinfo) -> datetime:
    """The next 8 h (community time) at or after ``now``."""
    local = now.astimezone(tz)
    today = datetime.combine(local.date(), DIGEST_HOUR, tzinfo=tz)
    return today if local <= today else today + timedelta(days=1)


@dataclass(frozen=True)
class Digest:
    day: date
    covers: tuple[date, date]  # first and last day reported (inclusive)
    arrivals: tuple[MemberProfile, ...]
    departures: tuple[MemberProfile, ...]
    incomplete: tuple[tuple[MemberProfile, tuple[Step, ...]], ...]

    @property
    def worth_sending(self) -> bool:
        """News (arrivals, departures) any day; incomplete onboardings alone on Mondays."""
        return bool(self.arrivals or self.departures) or (
            bool(self.incomplete) and self.day.weekday() == 0
        )


def build_digest(
    profiles: Sequence[MemberProfile],
    today: date,
    covered_until: date | None,
    rules_version: int,
) -> Digest:
    """What happened from the day after the last digest (or yesterday) to yesterday."""
    first = covered_until + timedelta(days=1) if covered_until else today - timedelta(days=1)
    first = max(first, today - timedelta(days=31))  # after a long outage, the last month
    last = today - timedelta(days=1)

    def within(day: date | None) -> bool:
        return day is not None and first <= day <= last

    by_name = sorted(profiles, key=lambda p: (fold(p.name), p.key))
    arrivals = tuple(
        p for p in by_name if p.is_active and (within(p.arrived_on) or within(p.returned_on))
    )
    departures = tuple(p for p in by_name if within(p.departed_on))
    incomplete = tuple(
        (p, steps)
        for p in by_name
        if p.is_active
        and p.arrived_on is not None
        and today - p.arrived_on <= timedelta(days=NEWCOMER_DAYS)
        and (steps := missing_steps(p, rules_version))
    )
    return Digest(today, (first, last), arrivals, departures, incomplete)


# ---- « qui peut m'aider ? » ---------------------------------------------------------------

STOPWORDS = frozenset(
    (
        *("a", "au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "en", "et", "la"),
        *("le", "les", "un", "une", "ou", "par", "pour", "sur", "qui", "peut", "peux", "me"),
        *("moi", "aider", "aide", "je", "est", "sont", "quelqu", "quelque", "chose"),
        *("the", "of", "and", "in", "for", "on", "to", "with", "who", "can", "help"),
        *("someone", "anyone", "an", "or", "about"),
    )
)
_WORD = re.compile(r"[a-z0-9]+")
WEIGHTS = {"expertise": 3.0, "discipline": 2.0, "institution": 1.5, "territory": 1.0}
PREFIX_FACTOR = 0.5
PHRASE_BONUS = 2.0
MAX_HELPERS = 10


def stem(word: str) -> str:
    """A light French/English stem: plural and feminine endings off, so « soins palliatifs »,
    « soin palliatif » and « palliative » meet."""
    if len(word) > 4 and word.endswith("aux"):
        word = word[:-3] + "al"
    elif len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith(("s", "x")) and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 5 and word.endswith("euse"):
        word = word[:-4] + "eur"
    elif len(word) > 4 and word.endswith("ive"):
        word = word[:-3] + "if"
    elif len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def search_terms(text: str) -> list[str]:
    """Folded, stemmed words of ``text`` without filler words, in order."""
    words = _WORD.findall(fold(text).replace("'", " "))
    return [stem(w) for w in words if w not in STOPWORDS and len(w) > 1]


def themes_match(themes: Iterable[str], expertise: Iterable[str]) -> bool:
    """A theme matches an expertise tag when every significant word of one is in the other
    (folded, plural-tolerant: « soins palliatifs » matches « soin palliatif pédiatrique »)."""
    tags = [set(search_terms(tag)) for tag in expertise]
    for theme in themes:
        words = set(search_terms(theme))
        if words and any(tag and (words <= tag or tag <= words) for tag in tags):
            return True
    return False


@dataclass(frozen=True)
class Helper:
    """A member of the directory as the search sees them (labels already in words)."""

    key: str
    name: str
    email: str
    expertise: tuple[str, ...]
    discipline: str  # the discipline's names, every language
    institution: str  # institution and its kind's names
    territory: str


@dataclass(frozen=True)
class Match:
    helper: Helper
    coverage: int  # how many of the query's words matched
    score: float
    fields: tuple[str, ...]  # where: expertise, discipline, institution, territory


def _field_words(helper: Helper) -> dict[str, list[str]]:
    return {
        "expertise": [w for tag in helper.expertise for w in search_terms(tag)],
        "discipline": search_terms(helper.discipline),
        "institution": search_terms(helper.institution),
        "territory": search_terms(helper.territory),
    }


def _contains(seq: Sequence[str], part: Sequence[str]) -> bool:
    n = len(part)
    return any(list(seq[i : i + n]) == list(part) for i in range(len(seq) - n + 1))


def score_helper(terms: Sequence[str], helper: Helper) -> Match:
    words = _field_words(helper)
    coverage = 0
    score = 0.0
    where: set[str] = set()
    for term in dict.fromkeys(terms):
        best = 0.0
        best_field = ""
        for name, found in words.items():
            weight = 0.0
            if term in found:
                weight = WEIGHTS[name]
            elif len(term) >= 4 and any(w.startswith(term) for w in found):
                weight = WEIGHTS[name] * PREFIX_FACTOR
            if weight > best:
                best, best_field = weight, name
        if best:
            coverage += 1
            score += best
            where.add(best_field)
    if len(terms) > 1 and any(_contains(search_terms(tag), terms) for tag in helper.expertise):
        score += PHRASE_BONUS
    return Match(helper, coverage, score, tuple(n for n in WEIGHTS if n in where))


def rank_helpers(query: str, helpers: Iterable[Helper], limit: int = MAX_HELPERS) -> list[Match]:
    """Members matching the query, best first. When some match every word, only those."""
    terms = list(dict.fromkeys(search_terms(query)))
    if not terms:
        return []
    matches = [m for m in (score_helper(terms, h) for h in helpers) if m.coverage]
    if any(m.coverage == len(terms) for m in matches):
        matches = [m for m in matches if m.coverage == len(terms)]
    matches.sort(key=lambda m: (-m.coverage, -m.score, fold(m.helper.name), m.helper.key))
    return matches[:limit]


# ---- Teams links and mentions -----------------------------------------------------------


def chat_link(emails: Iterable[str]) -> str:
    """A link that opens a Teams chat with these people (a group chat for several)."""
    users = ",".join(e.strip() for e in emails if e and e.strip())
    return f"https://teams.microsoft.com/l/chat/0/0?users={quote(users, safe='@,')}"


@dataclass(frozen=True)
class Mentioned:
    teams_user_id: str
    name: str
    aad_object_id: str = ""


def mentioned_people(entities: Iterable[Mapping[str, Any]], bot_id: str) -> list[Mentioned]:
    """The people @mentioned in a message, in order, without the bot and without repeats."""
    found: list[Mentioned] = []
    for entity in entities:
        if str(entity.get("type", "")).casefold() != "mention":
            continue
        who = entity.get("mentioned")
        if not isinstance(who, Mapping):
            continue
        user_id = who.get("id")
        if not isinstance(user_id, str) or not user_id or user_id == bot_id:
            continue
        if any(m.teams_user_id == user_id for m in found):
            continue
        name = who.get("name")
        aad = who.get("aadObjectId")
        found.append(
            Mentioned(
                user_id, name if isinstance(name, str) else "", aad if isinstance(aad, str) else ""
            )
        )
    return found


# ---- the roster import ------------------------------------------------------------------

# The roster CSV columns: what the export writes is what the import reads back.
ROSTER_FIELDS = EXPORT_COLUMNS
IMPORTED_FIELDS = (
    "name",
    "email",
    "discipline",
    "institution",
    "institution_kind",
    "territory",
    "committees",
    "arrived_on",
)
HEADER_ALIASES = {
    "nom": "name",
    "nom complet": "name",
    "full name": "name",
    "courriel": "email",
    "adresse courriel": "email",
    "e-mail": "email",
    "email": "email",
    "mail": "email",
    "etablissement": "institution",
    "comite": "committees",
    "comites": "committees",
    "committee": "committees",
}
MAX_IMPORT_CHARS = 60_000
MAX_IMPORT_ROWS = 1000
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


class RowOutcome(StrEnum):
    created = "created"
    updated = "updated"
    unchanged = "unchanged"
    rejected = "rejected"


@dataclass(frozen=True)
class ImportVocabulary:
    """Folded words → codes, from the catalogs (both languages), the codes and the aliases."""

    headers: Mapping[str, str]
    disciplines: Mapping[str, str]
    kinds: Mapping[str, str]
    committees: Mapping[str, str]


@dataclass(frozen=True)
class ImportRow:
    line: int
    name: str
    email: str
    outcome: RowOutcome
    reasons: tuple[str, ...] = ()  # why rejected: codes
    profile: MemberProfile | None = None  # what would be saved


@dataclass(frozen=True)
class ImportPlan:
    problem: str = ""  # empty | too_long | no_header | missing_columns | too_many_rows
    rows: tuple[ImportRow, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    counts: Mapping[RowOutcome, int] = field(default_factory=dict)

    def to_save(self) -> list[MemberProfile]:
        return [
            r.profile
            for r in self.rows
            if r.profile is not None and r.outcome in (RowOutcome.created, RowOutcome.updated)
        ]


def sniff_delimiter(header_line: str) -> str:
    """Tab (pasted from a spreadsheet), semicolon (French Excel) or comma."""
    counts = {d: header_line.count(d) for d in ("\t", ";", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(text: str) -> list[list[str]]:
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=sniff_delimiter(first))
    return [[cell.strip() for cell in row] for row in reader]


def _lookup(cell: str, table: Mapping[str, str]) -> str | None:
    return table.get(fold(" ".join(cell.split())))


def _parse_day(cell: str, today: date) -> date | None:
    try:
        day = date.fromisoformat(cell)
    except ValueError:
        return None
    return day if day <= today else None


def _merge(
    existing: MemberProfile, values: Mapping[str, Any], now: datetime
) -> tuple[MemberProfile, bool]:
    """Fill the existing profile from an import row. A member's own profile wins: the import
    only fills its blanks; Teams' display name is never replaced."""
    own = existing.profile_saved_at is not None
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if not value:
            continue
        current = getattr(existing, name)
        may_replace = not own and not (name == "name" and not existing.is_imported_only)
        if (not current or may_replace) and current != value:
            changes[name] = value
    if not changes:
        return existing, False
    return replace(existing, updated_at=now, **changes), True


def plan_import(
    text: str,
    vocabulary: ImportVocabulary,
    existing: Sequence[MemberProfile],
    now: datetime,
    today: date,
) -> ImportPlan:
    """Check every row of a pasted roster; nothing is saved here."""
    if len(text) > MAX_IMPORT_CHARS:
        return ImportPlan(problem="too_long")
    table = [row for row in read_csv(text) if any(row)]
    if not table:
        return ImportPlan(problem="no_header")
    header = table[0]
    columns: dict[int, str] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        known = _lookup(title, vocabulary.headers)
        if known in IMPORTED_FIELDS and known not in columns.values():
            columns[index] = known
        elif title and known is None:
            ignored.append(title)
    if not {"name", "email"} <= set(columns.values()):
        return ImportPlan(problem="missing_columns", ignored_columns=tuple(ignored))
    if len(table) - 1 > MAX_IMPORT_ROWS:
        return ImportPlan(problem="too_many_rows")
    by_email: dict[str, MemberProfile] = {}
    for profile in sorted(existing, key=lambda p: not p.is_imported_only):
        if profile.email:
            by_email[profile.email.casefold()] = profile  # Teams records win over imports
    seen: set[str] = set()
    rows: list[ImportRow] = []
    for line, cells in enumerate(table[1:], start=2):
        raw = {name: (cells[i] if i < len(cells) else "") for i, name in columns.items()}
        rows.append(_plan_row(line, raw, vocabulary, by_email, seen, now, today))
    counts = {outcome: sum(r.outcome == outcome for r in rows) for outcome in RowOutcome}
    return ImportPlan(rows=tuple(rows), ignored_columns=tuple(ignored), counts=counts)


def _plan_row(
    line: int,
    raw: Mapping[str, str],
    vocabulary: ImportVocabulary,
    by_email: Mapping[str, MemberProfile],
    seen: set[str],
    now: datetime,
    today: date,
) -> ImportRow:
    name = " ".join(raw.get("name", "").split())
    email = raw.get("email", "").strip()
    reasons: list[str] = []
    if not name:
        reasons.append("missing_name")
    elif len(name) > MAX_NAME:
        reasons.append("too_long")
    if not _EMAIL.fullmatch(email) or len(email) > 254:
        reasons.append("bad_email")
    elif email.casefold() in seen:
        reasons.append("duplicate_email")
    values: dict[str, Any] = {"name": name, "email": email}
    if cell := raw.get("discipline", ""):
        values["discipline"] = _lookup(cell, vocabulary.disciplines) or ""
        if not values["discipline"]:
            reasons.append("unknown_discipline")
    if cell := raw.get("institution_kind", ""):
        values["institution_kind"] = _lookup(cell, vocabulary.kinds) or ""
        if not values["institution_kind"]:
            reasons.append("unknown_institution_kind")
    if cell := raw.get("committees", ""):
        parts = [p for p in re.split(r"[|;,]", cell) if p.strip()]
        found = [_lookup(p, vocabulary.committees) for p in parts]
        if not all(found):
            reasons.append("unknown_committee")
        values["committee_ids"] = tuple(dict.fromkeys(c for c in found if c))
    for name_, limit in (("institution", MAX_INSTITUTION), ("territory", MAX_TERRITORY)):
        value = " ".join(raw.get(name_, "").split())
        if len(value) > limit and "too_long" not in reasons:
            reasons.append("too_long")
        values[name_] = value
    if cell := raw.get("arrived_on", ""):
        values["arrived_on"] = _parse_day(cell, today)
        if values["arrived_on"] is None:
            reasons.append("bad_date")
    if reasons:
        return ImportRow(line, name, email, RowOutcome.rejected, tuple(reasons))
    seen.add(email.casefold())
    found_profile = by_email.get(email.casefold())
    if found_profile is None:
        created = MemberProfile(key=imported_key(email), source="import", updated_at=now)
        created, _ = _merge(created, values, now)
        return ImportRow(line, name, email, RowOutcome.created, profile=created)
    merged, changed = _merge(found_profile, values, now)
    outcome = RowOutcome.updated if changed else RowOutcome.unchanged
    return ImportRow(line, name, email, outcome, profile=merged)


# ---- « mes données » -----------------------------------------------------------------------


def flatten(
    data: Any, prefix: str = "", show: Callable[[str, Any], str | None] | None = None
) -> list[tuple[str, str]]:
    """(path, value) lines of JSON-ready data, for showing it on a card. ``show(path, value)``
    may word a scalar for the reader (a code's label, a date); None keeps the plain text."""
    if isinstance(data, Mapping):
        lines: list[tuple[str, str]] = []
        for key, value in data.items():
            lines.extend(flatten(value, f"{prefix}.{key}" if prefix else str(key), show))
        return lines
    if isinstance(data, list | tuple):
        if all(not isinstance(v, Mapping | list | tuple) for v in data):
            return [(prefix, ", ".join(_shown(prefix, v, show) for v in data))]
        lines = []
        for index, value in enumerate(data, start=1):
            lines.extend(flatten(value, f"{prefix} [{index}]", show))
        return lines
    return [(prefix, _shown(prefix, data, show))]


def _shown(path: str, value: Any, show: Callable[[str, Any], str | None] | None) -> str:
    worded = show(path, value) if show is not None and value is not None else None
    return worded if worded is not None else _scalar(value)


def _scalar(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)
