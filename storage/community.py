"""The community profile: what the leads configure, read from ``<data dir>/community.toml``.

On first run the shipped example (``community.example.toml``, a fictional CdeP modelled on the
Montérégie one) is copied into the data folder. A bad file stops start-up (or a reload) with an
error that names the field.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from storage.meeting_vocabulary import AGENDA_KINDS, MODES
from storage.store import private_mode

PROFILE_FILE = "community.toml"
_LOCALES = ("fr-CA", "en")


class CommunityProfileError(ValueError):
    """The community profile is missing or invalid. ``field`` names the offending field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{PROFILE_FILE}: {field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class LocalizedText:
    """A text the leads wrote, in French and optionally English."""

    values: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, raw: str | dict[str, str]) -> LocalizedText:
        if isinstance(raw, str):
            return cls((("fr-CA", raw),))
        return cls(tuple((loc, raw[loc]) for loc in _LOCALES if loc in raw))

    def get(self, locale: str) -> str:
        found = dict(self.values)
        return found.get(locale) or found.get("fr-CA") or next(iter(found.values()), "")


@dataclass(frozen=True)
class Link:
    title: LocalizedText
    url: str


@dataclass(frozen=True)
class Committee:
    id: str
    name: LocalizedText
    meetings_per_year: int


@dataclass(frozen=True)
class Venue:
    name: str
    address: str


@dataclass(frozen=True)
class Animateur:
    name: str
    title: LocalizedText | None
    email: str
    aad_object_id: str


@dataclass(frozen=True)
class Rules:
    version: int
    items: tuple[LocalizedText, ...]
    changes: LocalizedText | None


@dataclass(frozen=True)
class CommunityProfile:
    name: str
    short_name: str
    default_locale: str
    timezone: str
    domain: LocalizedText
    mandate: LocalizedText
    objectives: tuple[LocalizedText, ...]
    napperon: LocalizedText
    rules: Rules
    welcome_links: tuple[Link, ...]
    committees: tuple[Committee, ...]
    venues: tuple[Venue, ...]
    animateurs: tuple[Animateur, ...]
    sponsors: tuple[Animateur, ...]
    small_group_threshold: int
    # Credited-hours rule (dialogs/presence/rules.py CreditPolicy); {} = documented defaults.
    presence: dict[str, Any] = field(default_factory=dict)
    # Members (not only animateurs) may create polls: ``[polls] members_can_create``.
    members_can_create_polls: bool = False
    # The CdeP's cycle, first and last month included (``[cycle]``; dialogs/cycles.py).
    cycle_start_month: int = 9
    cycle_end_month: int = 6
    # Cycle planning (``[planning]``; dialogs/meetings/planning.py): joint meetings per cycle
    # (None: 2 when there are two committees or more) and the proposed meetings' mode.
    joint_meetings_per_year: int | None = None
    planning_mode: str = ""
    # The library (``[library]``; dialogs/library): animateurs validate shared resources before
    # they are listed; the tenant's SharePoint host for links to files of the team.
    library_validation: bool = False
    library_sharepoint_host: str = ""

    def is_animateur(self, aad_object_id: str | None, email: str | None) -> bool:
        return _named(self.animateurs, aad_object_id, email)

    def is_sponsor(self, aad_object_id: str | None, email: str | None) -> bool:
        return _named(self.sponsors, aad_object_id, email)

    def committee(self, committee_id: str) -> Committee | None:
        return next((c for c in self.committees if c.id == committee_id), None)


def _named(people: tuple[Animateur, ...], aad_object_id: str | None, email: str | None) -> bool:
    aad = (aad_object_id or "").casefold()
    mail = (email or "").casefold()
    return any(
        (aad and p.aad_object_id.casefold() == aad) or (mail and p.email.casefold() == mail)
        for p in people
    )


_TEXT: dict[str, Any] = {
    "oneOf": [
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "properties": {loc: {"type": "string"} for loc in _LOCALES},
            "required": ["fr-CA"],
            "additionalProperties": False,
        },
    ]
}
_PERSON: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "title": _TEXT,
        "email": {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"},
        "aad_object_id": {
            "type": "string",
            "pattern": r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$",
        },
    },
    "required": ["name"],
    "anyOf": [{"required": ["email"]}, {"required": ["aad_object_id"]}],
    "additionalProperties": False,
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "short_name": {"type": "string", "minLength": 1, "maxLength": 40},
        "default_locale": {"enum": list(_LOCALES)},
        "timezone": {"type": "string", "minLength": 1},
        "domain": _TEXT,
        "mandate": _TEXT,
        "objectives": {"type": "array", "items": _TEXT},
        "napperon": _TEXT,
        "rules": {
            "type": "object",
            "properties": {
                "version": {"type": "integer", "minimum": 1},
                "items": {"type": "array", "items": _TEXT, "minItems": 1},
                "changes": {"anyOf": [{"type": "string"}, _TEXT]},
            },
            "required": ["version", "items"],
            "additionalProperties": False,
        },
        "welcome_links": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"title": _TEXT, "url": {"type": "string", "pattern": "^https://"}},
                "required": ["title", "url"],
                "additionalProperties": False,
            },
        },
        "committees": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z0-9_-]{1,20}$"},
                    "name": _TEXT,
                    "meetings_per_year": {"type": "integer", "minimum": 0, "maximum": 52},
                },
                "required": ["id", "name"],
                "additionalProperties": False,
            },
        },
        "venues": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "address": {"type": "string"},
                },
                "required": ["name"],
                "additionalProperties": False,
            },
        },
        "animateurs": {"type": "array", "items": _PERSON, "minItems": 1},
        "sponsors": {"type": "array", "items": _PERSON},
        "presence": {
            "type": "object",
            "properties": {
                "excluded_kinds": {
                    "type": "array",
                    "items": {"enum": list(AGENDA_KINDS)},
                },
                "rounding_minutes": {"type": "integer", "minimum": 1, "maximum": 60},
                "minimum_minutes": {"type": "integer", "minimum": 0, "maximum": 600},
                "checkin_grace_minutes": {"type": "integer", "minimum": 0, "maximum": 120},
                "hours_year_start_month": {"type": "integer", "minimum": 1, "maximum": 12},
            },
            "additionalProperties": False,
        },
        "cycle": {
            "type": "object",
            "properties": {
                "start_month": {"type": "integer", "minimum": 1, "maximum": 12},
                "end_month": {"type": "integer", "minimum": 1, "maximum": 12},
            },
            "additionalProperties": False,
        },
        "planning": {
            "type": "object",
            "properties": {
                "joint_meetings_per_year": {"type": "integer", "minimum": 0, "maximum": 52},
                "mode": {"enum": list(MODES)},
            },
            "additionalProperties": False,
        },
        "library": {
            "type": "object",
            "properties": {
                "validation": {"type": "boolean"},
                "sharepoint_host": {"type": "string", "maxLength": 200},
            },
            "additionalProperties": False,
        },
        "polls": {
            "type": "object",
            "properties": {"members_can_create": {"type": "boolean"}},
            "additionalProperties": False,
        },
        "privacy": {
            "type": "object",
            "properties": {
                "small_group_threshold": {"type": "integer", "minimum": 3, "maximum": 50}
            },
            "additionalProperties": False,
        },
    },
    "required": ["name", "short_name", "mandate", "napperon", "rules", "committees", "animateurs"],
    "additionalProperties": False,
}


def _field_path(error: jsonschema.ValidationError) -> str:
    path = ""
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(racine/root)"


def parse_profile(raw: dict[str, Any]) -> CommunityProfile:
    """Validate a decoded TOML document and build the profile. Raises CommunityProfileError."""
    errors = sorted(jsonschema.Draft7Validator(SCHEMA).iter_errors(raw), key=lambda e: e.path)
    if errors:
        first = errors[0]
        raise CommunityProfileError(_field_path(first), first.message)
    ids = [c["id"] for c in raw["committees"]]
    if len(ids) != len(set(ids)):
        raise CommunityProfileError("committees", "two committees share the same id")
    text = LocalizedText.parse
    rules = raw["rules"]

    def person(p: dict[str, Any]) -> Animateur:
        title = text(p["title"]) if "title" in p else None
        return Animateur(p["name"], title, p.get("email", ""), p.get("aad_object_id", ""))

    return CommunityProfile(
        name=raw["name"],
        short_name=raw["short_name"],
        default_locale=raw.get("default_locale", "fr-CA"),
        timezone=raw.get("timezone", "America/Montreal"),
        domain=text(raw.get("domain", raw["name"])),
        mandate=text(raw["mandate"]),
        objectives=tuple(text(o) for o in raw.get("objectives", [])),
        napperon=text(raw["napperon"]),
        rules=Rules(
            version=rules["version"],
            items=tuple(text(i) for i in rules["items"]),
            changes=text(rules["changes"]) if rules.get("changes") else None,
        ),
        welcome_links=tuple(Link(text(w["title"]), w["url"]) for w in raw.get("welcome_links", [])),
        committees=tuple(
            Committee(c["id"], text(c["name"]), c.get("meetings_per_year", 3))
            for c in raw["committees"]
        ),
        venues=tuple(Venue(v["name"], v.get("address", "")) for v in raw.get("venues", [])),
        animateurs=tuple(person(p) for p in raw["animateurs"]),
        sponsors=tuple(person(p) for p in raw.get("sponsors", [])),
        small_group_threshold=raw.get("privacy", {}).get("small_group_threshold", 5),
        presence=dict(raw.get("presence", {})),
        members_can_create_polls=raw.get("polls", {}).get("members_can_create", False),
        cycle_start_month=raw.get("cycle", {}).get("start_month", 9),
        cycle_end_month=raw.get("cycle", {}).get("end_month", 6),
        joint_meetings_per_year=raw.get("planning", {}).get("joint_meetings_per_year"),
        planning_mode=raw.get("planning", {}).get("mode", ""),
        library_validation=raw.get("library", {}).get("validation", False),
        library_sharepoint_host=raw.get("library", {}).get("sharepoint_host", "").casefold(),
    )


def example_text() -> str:
    return resources.files("storage").joinpath("community.example.toml").read_text("utf-8")


def load_profile(data_dir: Path) -> CommunityProfile:
    """Read ``community.toml`` from the data folder, creating it from the example if absent."""
    path = data_dir / PROFILE_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        with resources.as_file(
            resources.files("storage").joinpath("community.example.toml")
        ) as src:
            shutil.copyfile(src, path)
    private_mode(path)
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line \d+", str(exc))
        raise CommunityProfileError(
            "(syntax)", f"TOML, {where.group(0)}" if where else "TOML"
        ) from exc
    return parse_profile(raw)


class ProfileFile:
    """The profile in force, re-read on demand. A failed reload keeps the previous profile."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self._current = load_profile(data_dir)

    @property
    def current(self) -> CommunityProfile:
        return self._current

    def reload(self) -> CommunityProfile:
        self._current = load_profile(self._data_dir)
        return self._current
