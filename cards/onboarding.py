"""The onboarding cards: welcome dossier, profile form, rules, « qui peut m'aider ? », roster,
mentor, follow-up, digest, roster import, downloads and « mes données »; and the roster CSV.

Builders take plain views (no storage types: cards/ stands beside storage/) and a Translator;
every sentence comes from ``cards/locales/<locale>/onboarding.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from cards.csv_export import csv_bytes
from cards.dates import long_date, long_date_time
from cards.i18n import SUPPORTED_LOCALES, Translator
from cards.render import render


class OnboardingVerb(StrEnum):
    show_welcome = "onboarding.show_welcome"
    open_profile = "onboarding.open_profile"
    review_profile = "onboarding.review_profile"
    save_profile = "onboarding.save_profile"
    show_rules = "onboarding.show_rules"
    ack_rules = "onboarding.ack_rules"
    followup_ok = "onboarding.followup_ok"
    show_my_data = "onboarding.show_my_data"
    export_my_data = "onboarding.export_my_data"
    ask_erase = "onboarding.ask_erase"
    erase_my_data = "onboarding.erase_my_data"
    show_roster = "onboarding.show_roster"
    open_mentor = "onboarding.open_mentor"
    assign_mentor = "onboarding.assign_mentor"
    export_roster = "onboarding.export_roster"
    open_import = "onboarding.open_import"
    import_roster = "onboarding.import_roster"
    set_followup_days = "onboarding.set_followup_days"


DISCIPLINE_CODES = (
    "social_worker",
    "psychologist",
    "nurse",
    "sexologist",
    "human_relations_officer",
    "social_service_technician",
    "physician",
    "spiritual_care",
    "other",
)
KIND_CODES = ("ch", "clsc", "palliative_home", "community_org", "other")
MAX_REPORT_ROWS = 100
MAX_VALUE_CHARS = 300
# Teams refuses messages over about 100 KB (UTF-16) and render() stops at 80 KB: long lists are
# cut to this many characters of listed text per card (about 65 KB in UTF-16, layout included).
TEXT_BUDGET = 30_000
_ITEM_OVERHEAD = 40  # the JSON around each listed item

Item = TypeVar("Item")


def _fit(items: Sequence[Item], size: Callable[[Item], int], budget: int) -> list[Item]:
    """The first ``items`` whose text fits in ``budget`` characters."""
    kept: list[Item] = []
    used = 0
    for item in items:
        used += size(item) + _ITEM_OVERHEAD
        if used > budget:
            break
        kept.append(item)
    return kept


def _short(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def discipline_label(code: str, t: Translator) -> str:
    return t(f"onboarding.discipline.{code}") if code in DISCIPLINE_CODES else ""


def kind_label(code: str, t: Translator) -> str:
    return t(f"onboarding.kind.{code}") if code in KIND_CODES else ""


def _bullets(lines: Sequence[str]) -> str:
    return "\r".join(f"- {line}" for line in lines if line)


def _data(verb: str, **values: Any) -> dict[str, Any]:
    """The data of an Action.Execute and of its Action.Submit fallback (which needs the verb)."""
    return {"verb": str(verb), **values}


# ---- welcome dossier ------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkView:
    title: str
    url: str


@dataclass(frozen=True)
class MeetingView:
    title: str
    starts_at: datetime  # community time
    mode: str
    place: str
    join_url: str


@dataclass(frozen=True)
class WelcomeView:
    community: str
    first_name: str
    returning: bool
    greet: bool  # first words of a proactive welcome (not when asked for with « accueil »)
    domain: str
    mandate: str
    objectives: Sequence[str]
    napperon: str
    rules: Sequence[str]
    rules_version: int
    rules_changes: str  # shown when not empty
    rules_acknowledged_on: date | None  # of the current version
    profile_done: bool
    meeting: MeetingView | None
    mentor_name: str
    animateurs: Sequence[tuple[str, str]]  # (name, title)
    links: Sequence[LinkView]
    essentials: Sequence[LinkView] = ()  # the library's « essentiel » resources


def _markdown_link(link: LinkView) -> str:
    title = link.title.replace("[", "(").replace("]", ")")
    return f"[{title}]({link.url})"


def _meeting_mode(mode: str, t: Translator) -> str:
    key = f"onboarding.meeting_mode.{mode}"
    return t(key) if t.has(key) else mode


def build_welcome_card(view: WelcomeView, t: Translator) -> dict[str, Any]:
    meeting = view.meeting
    if not view.greet:
        greeting = ""
    elif view.returning:
        greeting = t("onboarding.welcome.greeting_back", name=view.first_name)
    else:  # the bot's own first words (bot/teams_bot.py), then the dossier
        greeting = t("greeting.personal", name=view.first_name, community=view.community)
    data: dict[str, Any] = {
        "title": t(
            "onboarding.welcome.title_back" if view.returning else "onboarding.welcome.title",
            community=view.community,
        ),
        "greeting": greeting,
        "intro": t(
            "onboarding.welcome.intro_back" if view.returning else "onboarding.welcome.intro"
        ),
        "domain": view.domain,
        "mandate": view.mandate,
        "objectives": _bullets(view.objectives),
        "has_objectives": bool(view.objectives),
        "napperon": view.napperon,
        "rules_heading": t("onboarding.rules.heading", version=view.rules_version),
        "rules": _bullets(view.rules),
        "rules_changes": t("onboarding.rules.changes", changes=view.rules_changes)
        if view.rules_changes
        else "",
        "rules_status": t(
            "onboarding.rules.acknowledged",
            version=view.rules_version,
            date=long_date(view.rules_acknowledged_on, t),
        )
        if view.rules_acknowledged_on
        else "",
        "show_ack": view.rules_acknowledged_on is None,
        "ack_data": _data(OnboardingVerb.ack_rules, version=view.rules_version, back="welcome"),
        "profile_button": t(
            "onboarding.welcome.edit_profile"
            if view.profile_done
            else "onboarding.welcome.fill_profile"
        ),
        "profile_status": t(
            "onboarding.welcome.profile_done"
            if view.profile_done
            else "onboarding.welcome.profile_todo"
        ),
        "has_meeting": meeting is not None,
        "meeting_title": meeting.title if meeting else "",
        "meeting_when": long_date_time(meeting.starts_at, t) if meeting else "",
        "meeting_where": " · ".join(
            part for part in (_meeting_mode(meeting.mode, t), meeting.place) if part
        )
        if meeting
        else "",
        "has_join_url": bool(meeting and meeting.join_url.startswith("https://")),
        "meeting_join_url": meeting.join_url if meeting else "",
        "has_mentor": bool(view.mentor_name),
        "mentor": t("onboarding.welcome.mentor_is", name=view.mentor_name),
        "animateurs": [{"name": name, "role": role or " "} for name, role in view.animateurs],
        "has_animateurs": bool(view.animateurs),
        "links": [{"markdown": _markdown_link(link)} for link in view.links],
        "has_links": bool(view.links),
        "essentials": [{"markdown": _markdown_link(link)} for link in view.essentials],
        "has_essentials": bool(view.essentials),
    }
    return render("onboarding_welcome", data, t)


# ---- profile --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileFormView:
    values: Mapping[str, str]  # rules.ProfileDraft.as_data()
    errors: Mapping[str, str]  # field → code
    committees: Sequence[tuple[str, str]]  # (id, name)


PROFILE_FIELDS = (
    "discipline",
    "institution",
    "institution_kind",
    "territory",
    "committees",
    "expertise",
    "locale",
)


def _choices(pairs: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"title": title, "value": value} for value, title in pairs]


def build_profile_form_card(view: ProfileFormView, t: Translator) -> dict[str, Any]:
    errors = {
        name: t(f"onboarding.profile.error.{view.errors[name]}") if name in view.errors else ""
        for name in PROFILE_FIELDS
    }
    data = {
        "values": dict(view.values),
        "errors": errors,
        "has_errors": bool(view.errors),
        "disciplines": _choices([(c, discipline_label(c, t)) for c in DISCIPLINE_CODES]),
        "kinds": _choices([(c, kind_label(c, t)) for c in KIND_CODES]),
        "committees": _choices(view.committees),
        "locales": _choices([(loc, t(f"onboarding.language.{loc}")) for loc in SUPPORTED_LOCALES]),
    }
    return render("onboarding_profile", data, t)


def profile_facts(
    values: Mapping[str, str], committees: Mapping[str, str], t: Translator
) -> list[dict[str, str]]:
    """The profile as (label, value) facts, for the review card and « mes données »."""
    chosen = [committees.get(c, c) for c in values.get("committees", "").split(",") if c]
    locale = values.get("locale", "")
    shown = {
        "discipline": discipline_label(values.get("discipline", ""), t),
        "institution": values.get("institution", ""),
        "institution_kind": kind_label(values.get("institution_kind", ""), t),
        "territory": values.get("territory", ""),
        "committees": ", ".join(chosen),
        "expertise": values.get("expertise", ""),
        "locale": t(f"onboarding.language.{locale}") if locale in SUPPORTED_LOCALES else "",
        "in_directory": t(
            "onboarding.profile.directory_yes"
            if values.get("in_directory") == "true"
            else "onboarding.profile.directory_no"
        ),
        "resource_person": t(
            "onboarding.profile.resource_person_yes"
            if values.get("resource_person") == "true"
            else "onboarding.profile.directory_no"
        ),
    }
    return [
        {"title": t(f"onboarding.profile.label.{name}"), "value": value or "—"}
        for name, value in shown.items()
    ]


def build_profile_review_card(
    values: Mapping[str, str], committees: Mapping[str, str], t: Translator, *, saved: bool
) -> dict[str, Any]:
    data = {
        "title": t(
            "onboarding.profile.saved_title" if saved else "onboarding.profile.review_title"
        ),
        "intro": t(
            "onboarding.profile.saved_intro" if saved else "onboarding.profile.review_intro"
        ),
        "facts": profile_facts(values, committees, t),
        "saved": saved,
        "show_confirm": not saved,
        "confirm_data": _data(OnboardingVerb.save_profile, **values),
        "edit_data": _data(OnboardingVerb.open_profile, **values),
    }
    return render("onboarding_profile_review", data, t)


# ---- rules ----------------------------------------------------------------------------------


def build_rules_card(
    *,
    rules: Sequence[str],
    version: int,
    changes: str,
    acknowledged_on: date | None,
    asked_again: bool,
    t: Translator,
    stale: bool = False,
) -> dict[str, Any]:
    """``asked_again``: the rules changed since the member accepted them; ``stale``: they
    clicked a card of an older version."""
    if stale:
        intro = t("onboarding.rules.stale")
    else:
        intro = t("onboarding.rules.intro_again" if asked_again else "onboarding.rules.intro")
    data = {
        "title": t("onboarding.rules.heading", version=version),
        "intro": intro,
        "changes": t("onboarding.rules.changes", changes=changes) if changes else "",
        "rules": _bullets(rules),
        "status": t(
            "onboarding.rules.acknowledged",
            version=version,
            date=long_date(acknowledged_on, t),
        )
        if acknowledged_on
        else "",
        "show_ack": acknowledged_on is None,
        "ack_data": _data(OnboardingVerb.ack_rules, version=version, back="rules"),
    }
    return render("onboarding_rules", data, t)


# ---- who can help -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HelperView:
    name: str
    discipline: str  # code
    institution: str
    institution_kind: str  # code
    territory: str
    expertise: Sequence[str]
    chat_url: str  # "" when no e-mail is known


def build_helpers_card(query: str, helpers: Sequence[HelperView], t: Translator) -> dict[str, Any]:
    rows = []
    for helper in helpers:
        place = ", ".join(
            p for p in (helper.institution, kind_label(helper.institution_kind, t)) if p
        )
        details = " · ".join(
            p for p in (discipline_label(helper.discipline, t), place, helper.territory) if p
        )
        rows.append(
            {
                "name": helper.name,
                "details": details or " ",
                "expertise": t("onboarding.who.expertise", tags=", ".join(helper.expertise))
                if helper.expertise
                else "",
                "has_expertise": bool(helper.expertise),
                "has_chat": bool(helper.chat_url),
                "chat_url": helper.chat_url,
                "chat_title": t("onboarding.who.chat", name=helper.name.split(" ")[0]),
            }
        )
    data = {
        "title": t("onboarding.who.title", query=query),
        "helpers": rows,
        "footer": t("onboarding.who.footer"),
    }
    return render("onboarding_helpers", data, t)


# ---- roster -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    key: str
    name: str
    discipline: str  # code
    institution: str
    committee_ids: Sequence[str]
    missing: Sequence[str]  # onboarding steps still to do: "profile", "rules"
    mentor_name: str
    arrived_on: date | None
    is_newcomer: bool


@dataclass(frozen=True)
class RosterView:
    community: str
    committees: Sequence[tuple[str, str]]  # (id, name)
    rows: Sequence[RosterRow]  # active members
    departed_count: int
    followup_days: int
    filter_name: str = ""  # the committee shown, when filtered


def _status(row: RosterRow, t: Translator) -> str:
    parts = [discipline_label(row.discipline, t), row.institution]
    if row.missing:
        parts.append(", ".join(t(f"onboarding.step.{step}") for step in row.missing))
    else:
        parts.append(t("onboarding.roster.complete"))
    if row.mentor_name:
        parts.append(t("onboarding.roster.mentor", name=row.mentor_name))
    if row.is_newcomer and row.arrived_on:
        parts.append(t("onboarding.roster.arrived", date=long_date(row.arrived_on, t)))
    return " · ".join(p for p in parts if p)


def build_roster_card(view: RosterView, t: Translator) -> dict[str, Any]:
    """Active members under each of their committees; a long roster is cut (the CSV export
    holds everyone)."""
    statuses = {row.key: _status(row, t) for row in view.rows}
    listed = {c for c, _ in view.committees}

    def size(row: RosterRow) -> int:
        groups = len(listed & set(row.committee_ids)) or 1
        return (len(row.name) + len(statuses[row.key])) * groups

    shown = _fit(view.rows, size, TEXT_BUDGET)
    groups = []
    for committee_id, name in [*view.committees, ("", t("onboarding.roster.no_committee"))]:
        members = [
            {"title": row.name, "value": statuses[row.key]}
            for row in shown
            if (committee_id in row.committee_ids)
            or (not committee_id and not listed & set(row.committee_ids))
        ]
        if members:
            groups.append(
                {
                    "heading": t("onboarding.roster.group", name=name, count=len(members)),
                    "facts": members,
                }
            )
    incomplete = sum(1 for row in view.rows if row.is_newcomer and row.missing)
    data = {
        "title": t("onboarding.roster.title", community=view.community),
        "filter": t("onboarding.roster.filtered", name=view.filter_name)
        if view.filter_name
        else "",
        "summary": t(
            "onboarding.roster.summary",
            active=t.plural("onboarding.roster.count_active", len(view.rows)),
            incomplete=t.plural("onboarding.roster.count_incomplete", incomplete),
            departed=t.plural("onboarding.roster.count_departed", view.departed_count),
        ),
        "groups": groups,
        "truncated": t("onboarding.roster.truncated", shown=len(shown), total=len(view.rows))
        if len(view.rows) > len(shown)
        else "",
        "followup_days": view.followup_days,
    }
    return render("onboarding_roster", data, t)


def build_mentor_card(
    newcomers: Sequence[tuple[str, str]],
    mentors: Sequence[tuple[str, str]],
    selected: str,
    t: Translator,
) -> dict[str, Any]:
    """Choose a newcomer (``selected`` preselected) and their mentor among active members
    (the lists are cut when very long; ``selected`` always stays)."""

    def size(choice: tuple[str, str]) -> int:
        return len(choice[0]) + len(choice[1])

    first = _fit(newcomers, size, TEXT_BUDGET // 2)
    chosen = [c for c in newcomers if c[0] == selected]
    if chosen and chosen[0] not in first:
        first = [chosen[0], *first[:-1]]
    data = {
        "newcomers": _choices(first),
        "mentors": _choices(_fit(mentors, size, TEXT_BUDGET // 2)),
        "selected": selected,
    }
    return render("onboarding_mentor", data, t)


# ---- notices, follow-up, digest -------------------------------------------------------------


@dataclass(frozen=True)
class NoticeLink:
    title: str
    url: str


def build_notice_card(
    title: str,
    text: str,
    t: Translator,
    *,
    links: Sequence[NoticeLink] = (),
    buttons: Sequence[tuple[str, str]] = (),  # (verb, title)
) -> dict[str, Any]:
    """A short card: a title, a text, links that open (chats, files) and buttons."""
    data = {
        "title": title,
        "text": text,
        "links": [{"title": link.title, "url": link.url} for link in links],
        "buttons": [
            {"title": label, "verb": str(verb), "data": _data(verb)} for verb, label in buttons
        ],
    }
    return render("onboarding_notice", data, t)


def build_followup_card(
    first_name: str,
    community: str,
    mentor_link: NoticeLink | None,
    animateurs_link: NoticeLink | None,
    t: Translator,
) -> dict[str, Any]:
    links = [link for link in (mentor_link, animateurs_link) if link is not None]
    return build_notice_card(
        t("onboarding.followup.title", name=first_name),
        t("onboarding.followup.text", community=community),
        t,
        links=links,
        buttons=[
            (OnboardingVerb.followup_ok, t("onboarding.followup.ok")),
            (OnboardingVerb.show_welcome, t("onboarding.welcome.show")),
        ],
    )


@dataclass(frozen=True)
class DigestView:
    day: date
    covers: tuple[date, date]
    arrivals: Sequence[tuple[str, date | None]]  # (name, arrived or returned on)
    departures: Sequence[tuple[str, date | None]]
    incomplete: Sequence[tuple[str, Sequence[str]]]  # (name, missing steps)


def build_digest_card(view: DigestView, t: Translator) -> dict[str, Any]:
    first, last = view.covers
    period = (
        long_date(last, t)
        if first == last
        else t("onboarding.digest.period", start=long_date(first, t), end=long_date(last, t))
    )

    def listed(facts: list[dict[str, str]]) -> list[dict[str, str]]:
        """A third of the budget per list; a last line tells how many were left out."""
        kept = _fit(facts, lambda f: len(f["title"]) + len(f["value"]), TEXT_BUDGET // 3)
        if len(kept) < len(facts):
            more = t.plural("onboarding.list.more", len(facts) - len(kept) + 1)
            kept = [*kept[:-1], {"title": "…", "value": more}]
        return kept

    def dated(rows: Sequence[tuple[str, date | None]]) -> list[dict[str, str]]:
        return listed(
            [{"title": name, "value": long_date(day, t) if day else "—"} for name, day in rows]
        )

    data = {
        "title": t("onboarding.digest.title", date=long_date(view.day, t)),
        "period": t("onboarding.digest.covers", period=period),
        "arrivals_heading": t("onboarding.digest.arrivals", count=len(view.arrivals)),
        "arrivals": dated(view.arrivals),
        "has_arrivals": bool(view.arrivals),
        "departures_heading": t("onboarding.digest.departures", count=len(view.departures)),
        "departures": dated(view.departures),
        "has_departures": bool(view.departures),
        "incomplete_heading": t("onboarding.digest.incomplete", count=len(view.incomplete)),
        "incomplete": listed(
            [
                {"title": name, "value": ", ".join(t(f"onboarding.step.{s}") for s in steps)}
                for name, steps in view.incomplete
            ]
        ),
        "has_incomplete": bool(view.incomplete),
    }
    return render("onboarding_digest", data, t)


# ---- roster import / export ----------------------------------------------------------------


def build_import_card(t: Translator, max_chars: int) -> dict[str, Any]:
    data = {
        "max_chars": max_chars,
        "columns": t(
            "onboarding.import.columns",
            columns=t("onboarding.import.column_separator").join(
                t(f"onboarding.csv.{name}") for name in IMPORT_COLUMNS
            ),
        ),
    }
    return render("onboarding_import", data, t)


@dataclass(frozen=True)
class ImportReportRow:
    line: int
    name: str
    email: str
    outcome: str  # created | updated | unchanged | rejected
    reasons: Sequence[str]


def build_import_report_card(
    counts: Mapping[str, int],
    rows: Sequence[ImportReportRow],
    ignored_columns: Sequence[str],
    t: Translator,
) -> dict[str, Any]:
    listed = [r for r in rows if r.outcome != "unchanged"][:MAX_REPORT_ROWS]
    facts = []
    for row in listed:
        who = row.name or row.email or "—"
        outcome = t(f"onboarding.import.outcome.{row.outcome}")
        if row.reasons:
            why = ", ".join(t(f"onboarding.import.reason.{code}") for code in row.reasons)
            outcome = t("onboarding.import.outcome_because", outcome=outcome, why=why)
        facts.append(
            {"title": t("onboarding.import.line", line=row.line, who=who), "value": outcome}
        )
    data = {
        "summary": t(
            "onboarding.import.summary",
            **{
                outcome: t.plural(f"onboarding.import.count_{outcome}", counts.get(outcome, 0))
                for outcome in ("created", "updated", "unchanged", "rejected")
            },
        ),
        "facts": facts,
        "has_facts": bool(facts),
        "ignored": t("onboarding.import.ignored", columns=", ".join(ignored_columns))
        if ignored_columns
        else "",
    }
    return render("onboarding_import_report", data, t)


EXPORT_COLUMNS = (
    "name",
    "email",
    "discipline",
    "institution",
    "institution_kind",
    "territory",
    "committees",
    "status",
    "onboarding",
    "arrived_on",
    "departed_on",
)
IMPORT_COLUMNS = (
    "name",
    "email",
    "discipline",
    "institution",
    "institution_kind",
    "territory",
    "committees",
    "arrived_on",
)
CSV_DELIMITER = ";"


@dataclass(frozen=True)
class ExportRow:
    name: str
    email: str
    discipline: str  # code
    institution: str
    institution_kind: str  # code
    territory: str
    committee_names: Sequence[str]
    departed_on: date | None
    arrived_on: date | None
    missing: Sequence[str]


def build_roster_csv(rows: Sequence[ExportRow], t: Translator) -> bytes:
    """The « liste d'envoi »: UTF-8 with a BOM and ``;`` separators, CRLF line ends.

    French Excel (the community's) opens such a file straight into columns with accents
    intact: it reads the BOM as UTF-8, and its list separator is ``;`` because ``,`` is the
    decimal mark in French locales (a ``,`` file lands in one column). Dates are ISO
    (YYYY-MM-DD, also the fr-CA short date)."""
    lines: list[list[str]] = [[t(f"onboarding.csv.{name}") for name in EXPORT_COLUMNS]]
    for row in rows:
        onboarding = (
            ", ".join(t(f"onboarding.step.{s}") for s in row.missing)
            if row.missing
            else t("onboarding.roster.complete")
        )
        cells = [
            row.name,
            row.email,
            discipline_label(row.discipline, t),
            row.institution,
            kind_label(row.institution_kind, t),
            row.territory,
            " | ".join(row.committee_names),
            t("onboarding.csv.departed" if row.departed_on else "onboarding.csv.active"),
            onboarding,
            row.arrived_on.isoformat() if row.arrived_on else "",
            row.departed_on.isoformat() if row.departed_on else "",
        ]
        lines.append(cells)
    return csv_bytes(lines)


def build_download_card(title: str, filename: str, url: str, t: Translator) -> dict[str, Any]:
    return build_notice_card(
        title,
        t("onboarding.download.text", filename=filename),
        t,
        links=[NoticeLink(t("onboarding.download.button"), url)],
    )


# ---- « mes données » ------------------------------------------------------------------------


@dataclass(frozen=True)
class DataSection:
    title: str
    lines: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class MyDataView:
    sections: Sequence[DataSection]
    hidden_lines: int = 0
    failed_sections: Sequence[str] = field(default_factory=tuple)


def build_my_data_card(view: MyDataView, t: Translator) -> dict[str, Any]:
    data = {
        "sections": [
            {
                "heading": section.title,
                "facts": [
                    {"title": _short(k, 80) or "—", "value": _short(v) or "—"}
                    for k, v in section.lines
                ]
                or [{"title": t("onboarding.mydata.nothing"), "value": "—"}],
            }
            for section in view.sections
        ],
        "has_no_sections": not view.sections,
        "more": t.plural("onboarding.mydata.more", view.hidden_lines) if view.hidden_lines else "",
        "failed": t("onboarding.mydata.failed", sections=", ".join(view.failed_sections))
        if view.failed_sections
        else "",
    }
    return render("onboarding_my_data", data, t)


def build_erase_confirm_card(t: Translator) -> dict[str, Any]:
    data = {
        "confirm_data": _data(OnboardingVerb.erase_my_data, confirm="yes"),
    }
    return render("onboarding_erase", data, t)
