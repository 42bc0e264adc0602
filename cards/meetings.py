"""Meeting cards: the channel card (shared and per-person views), the planning form, the
list and year views, 1:1 notices (reminders, changes, cancellation), the agenda posted in the
meeting chat and the offer of the satisfaction survey.

The builders take plain views (no storage types: cards/ imports only the stdlib) and format
dates and times with Babel in the card's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from cards.dates import long_date, short_time
from cards.i18n import Translator, fold
from cards.render import render


class MeetingVerb(StrEnum):
    save = "meetings.save"  # publish a new meeting / save an edited one (the form)
    add_rows = "meetings.add_rows"  # the form again, with more agenda lines
    rsvp = "meetings.rsvp"
    view = "meetings.view"  # the per-person view (card refresh, "details" in the list)
    edit = "meetings.edit"
    cancel = "meetings.cancel"
    invite = "meetings.invite"  # the .ics download link
    year = "meetings.year"
    link_chat = "meetings.link_chat"  # which meeting a started Teams meeting is (shared link)
    plan_edit = "meetings.plan_edit"  # the cycle proposal: move, remove or add lines
    plan_publish = "meetings.plan_publish"  # « Publier tout »
    plan_poll = "meetings.plan_poll"  # launch the « Disponibilités » poll with the dates
    calendar = "meetings.calendar"  # the cycle calendar's .ics link


# ---- formatting ----------------------------------------------------------------------------


def span_text(start: time, end: time, t: Translator) -> str:
    return t("meetings.span", start=short_time(start, t), end=short_time(end, t))


def kind_label(kind: str, t: Translator) -> str:
    return t(f"meetings.kind.{kind}") if t.has(f"meetings.kind.{kind}") else kind


def choice_label(choice: str, t: Translator) -> str:
    return t(f"meetings.choice.{choice}")


def mode_label(mode: str, t: Translator) -> str:
    return t(f"meetings.mode.{mode}")


@dataclass(frozen=True)
class Logistics:
    """What attendees must be told when it changes (local times)."""

    starts_at: datetime
    ends_at: datetime
    mode: str
    place: str
    join_url: str


def change_lines(before: Logistics, after: Logistics, t: Translator) -> list[str]:
    """« Date : jeudi 4 mars 2027 → vendredi 5 mars 2027 », one line per change."""
    lines = []
    if before.starts_at.date() != after.starts_at.date():
        old, new = long_date(before.starts_at.date(), t), long_date(after.starts_at.date(), t)
        lines.append(t("meetings.change.date", old=old, new=new))

    def span(moment: Logistics) -> str:
        start = moment.starts_at.timetz().replace(tzinfo=None)
        return span_text(start, moment.ends_at.timetz().replace(tzinfo=None), t)

    if span(before) != span(after):
        lines.append(t("meetings.change.time", old=span(before), new=span(after)))
    if before.mode != after.mode:
        old, new = mode_label(before.mode, t), mode_label(after.mode, t)
        lines.append(t("meetings.change.mode", old=old, new=new))
    if before.place != after.place:
        none = t("meetings.change.nothing")
        lines.append(t("meetings.change.place", old=before.place or none, new=after.place or none))
    if before.join_url != after.join_url:
        key = "meetings.change.link" if after.join_url else "meetings.change.link_removed"
        lines.append(t(key))
    return lines


# ---- views ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaLine:
    start: time
    end: time
    kind: str
    title: str
    presenter: str = ""


@dataclass(frozen=True)
class SectionLine:
    """One line of an extra section: text, and a link when there is one."""

    text: str
    url: str = ""


@dataclass(frozen=True)
class CardSection:
    """A section another feature adds under the agenda (« Ce qu'on retient », the presenters'
    resources…), already worded in the card's language by that feature."""

    title: str
    lines: tuple[SectionLine, ...] = ()


@dataclass(frozen=True)
class MeetingView:
    """A meeting as every member may see it (times local to the community)."""

    id: str
    title: str
    committee_names: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    mode: str
    status: str  # planned | cancelled | done
    place: str = ""
    address: str = ""
    join_url: str = ""
    general_objective: str = ""
    specific_objectives: tuple[str, ...] = ()
    agenda: tuple[AgendaLine, ...] = ()
    choices: tuple[str, ...] = ()  # answers the mode allows
    counts: Mapping[str, int] = field(default_factory=dict)
    sections: tuple[CardSection, ...] = ()  # from other features' meeting_card_sections hooks


@dataclass(frozen=True)
class Viewer:
    """What one person sees on top of the shared card."""

    my_choice: str = ""
    can_manage: bool = False  # animateur: names by choice, edit, cancel
    names_by_choice: Mapping[str, Sequence[str]] = field(default_factory=dict)
    unanswered: int | None = None
    invite_url: str = ""


def agenda_text(line: AgendaLine, t: Translator) -> str:
    label = kind_label(line.kind, t)
    title = line.title.strip()
    if not title or fold(title) == fold(label):
        text = label
    elif line.kind == "autre" or fold(label) in fold(title):
        text = title
    else:
        text = t("meetings.agenda.kind_title", kind=label, title=title)
    return (
        t("meetings.agenda.presented_by", text=text, presenter=line.presenter)
        if (line.presenter)
        else text
    )


def _agenda_facts(view: MeetingView, t: Translator) -> list[dict[str, str]]:
    facts = [
        {"title": span_text(line.start, line.end, t), "value": agenda_text(line, t)}
        for line in view.agenda
    ]
    if facts:
        end = view.ends_at.timetz().replace(tzinfo=None)
        facts.append({"title": short_time(end, t), "value": t("meetings.agenda.end_of_day")})
    return facts


def _bullets(lines: Sequence[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def _summary_facts(view: MeetingView, t: Translator) -> list[dict[str, str]]:
    start = view.starts_at.timetz().replace(tzinfo=None)
    end = view.ends_at.timetz().replace(tzinfo=None)
    facts = [
        {"title": t("meetings.card.date"), "value": long_date(view.starts_at.date(), t)},
        {"title": t("meetings.card.time"), "value": span_text(start, end, t)},
        {"title": t("meetings.card.mode"), "value": mode_label(view.mode, t)},
    ]
    if view.place:
        place = t("meetings.card.place_address", place=view.place, address=view.address)
        facts.append(
            {"title": t("meetings.card.place"), "value": place if view.address else view.place}
        )
    return facts


def _status_banner(view: MeetingView, t: Translator) -> str:
    if view.status == "cancelled":
        return t("meetings.card.cancelled_banner")
    if view.status == "done":
        return t("meetings.card.done_banner")
    return ""


def counts_text(view: MeetingView, t: Translator) -> str:
    shown = [c for c in ("salle", "en_ligne", "absent") if c in view.choices or view.counts.get(c)]
    return t("meetings.card.counts_separator").join(
        t("meetings.card.count", label=choice_label(c, t), count=view.counts.get(c, 0))
        for c in shown
    )


def _committees_text(view: MeetingView, t: Translator) -> str:
    names = t("meetings.card.committee_separator").join(view.committee_names)
    if len(view.committee_names) > 1:
        return t("meetings.card.joint", committees=names)
    return names


def _title_and_committees(view: MeetingView, t: Translator) -> str:
    """« title · committees », the committees left out when the title already names them."""
    committees = _committees_text(view, t)
    if committees in view.title:
        return view.title
    return t("meetings.plan.separator").join([view.title, committees])


def _sections(view: MeetingView) -> list[dict[str, Any]]:
    return [
        {
            "title": section.title,
            "lines": [
                {"text": f"[{line.text}]({line.url})" if line.url else f"- {line.text}"}
                for line in section.lines
            ],
        }
        for section in view.sections
        if section.lines
    ]


def build_meeting_card(
    view: MeetingView,
    t: Translator,
    viewer: Viewer | None = None,
    refresh_user_ids: Sequence[str] = (),
) -> dict[str, Any]:
    """The meeting card. Without ``viewer`` it is the shared card every member sees in the
    channel (counts only); with one, the view of that person (their answer, and for an
    animateur the names by answer and the edit/cancel actions)."""
    me = viewer or Viewer()
    is_open = view.status == "planned"
    rsvp = [
        {
            "choice": c,
            "label": (
                t("meetings.rsvp.selected", label=choice_label(c, t))
                if c == me.my_choice
                else choice_label(c, t)
            ),
        }
        for c in view.choices
    ]
    names = [
        {
            "text": t(
                "meetings.card.names",
                label=choice_label(c, t),
                count=len(me.names_by_choice.get(c, ())),
                names=t("meetings.card.name_separator").join(me.names_by_choice.get(c, ()))
                or t("meetings.card.nobody"),
            )
        }
        for c in ("salle", "en_ligne", "absent")
        if c in view.choices or me.names_by_choice.get(c)
    ]
    if me.unanswered is not None:
        names.append({"text": t("meetings.card.unanswered", count=me.unanswered)})
    banner = _status_banner(view, t)
    data = {
        "meeting_id": view.id,
        "title": view.title,
        "committees": _committees_text(view, t),
        "banner": banner,
        "has_banner": bool(banner),
        "facts": _summary_facts(view, t),
        "has_general": bool(view.general_objective),
        "general_objective": view.general_objective,
        "has_specific": bool(view.specific_objectives),
        "specific_objectives": _bullets(view.specific_objectives),
        "agenda": _agenda_facts(view, t),
        "has_agenda": bool(view.agenda),
        "sections": _sections(view),
        "is_open": is_open,
        "counts": counts_text(view, t),
        "rsvp": rsvp,
        "has_my_choice": bool(me.my_choice),
        "my_choice": t("meetings.card.my_choice", label=choice_label(me.my_choice, t))
        if me.my_choice
        else "",
        "show_names": me.can_manage and bool(names),
        "names": names,
        "has_join_url": bool(view.join_url) and is_open,
        "join_url": view.join_url,
        "has_invite_url": bool(me.invite_url),
        "invite_url": me.invite_url,
        "can_manage": me.can_manage and is_open,
        "refresh_user_ids": list(refresh_user_ids),
    }
    return render("meetings_card", data, t)


# ---- the planning form ---------------------------------------------------------------------


@dataclass(frozen=True)
class FormRow:
    number: int
    start: str = ""
    end: str = ""
    kind: str = "autre"
    title: str = ""
    presenter: str = ""


@dataclass(frozen=True)
class FormView:
    """The planning form, filled with what is known (strings as the inputs hold them)."""

    meeting_id: str  # the id the meeting will have (new) or has (edit)
    editing: bool
    committees: Sequence[tuple[str, str]]  # (id, name) from the community profile
    venues: Sequence[str]  # venue names from the community profile
    values: Mapping[str, str]  # input id -> value
    rows: Sequence[FormRow]
    sources: Mapping[str, str] = field(default_factory=dict)  # row number -> "topic:<id>"
    errors: Sequence[str] = ()  # sentences, already translated
    notice: str = ""


FORM_ROW_STEP = 5
# Empty agenda lines a new or edited form offers (« Ajouter 5 lignes » adds more).
FORM_BLANK_ROWS = 2
# Agenda lines the form offers at most: each line weighs about 2.6 KB with long texts, and the
# whole form must stay under Teams' size limit.
FORM_MAX_ROWS = 25


def _number(text: str) -> int:
    """Input.Number holds a number: what was typed when it is one, else 0."""
    return int(text) if text.strip().isdigit() else 0


def build_form_card(view: FormView, t: Translator) -> dict[str, Any]:
    value = view.values.get
    kinds = [
        {"title": t(f"meetings.kind_short.{k}"), "value": k}
        for k in (
            "accueil",
            "tour_de_table",
            "affaires_diverses",
            "supervision",
            "repas",
            "atelier_conference",
            "autre",
        )
    ]
    data = {
        "meeting_id": view.meeting_id,
        "heading": t("meetings.form.edit_title" if view.editing else "meetings.form.new_title"),
        "submit_label": t("meetings.form.save" if view.editing else "meetings.form.publish"),
        "has_errors": bool(view.errors),
        "errors": [{"text": t("meetings.form.error_line", error=e)} for e in view.errors],
        "has_notice": bool(view.notice),
        "notice": view.notice,
        "committee_choices": [{"title": name, "value": cid} for cid, name in view.committees],
        "venue_choices": [{"title": v, "value": v} for v in view.venues]
        + [{"title": t("meetings.form.other_venue"), "value": "_other"}],
        "mode_choices": [
            {"title": mode_label(m, t), "value": m} for m in ("presentiel", "virtuel", "hybride")
        ],
        "kind_choices": kinds,
        "v_title": value("title", ""),
        "v_committees": value("committees", ""),
        "v_day": value("day", ""),
        "v_start": value("start", ""),
        "v_end": value("end", ""),
        "v_mode": value("mode", ""),
        "v_venue": value("venue", ""),
        "v_place": value("place", ""),
        "v_join_url": value("join_url", ""),
        "v_general_objective": value("general_objective", ""),
        "v_specific_objectives": value("specific_objectives", ""),
        "v_remind_unanswered": _number(value("remind_unanswered", "")),
        "v_remind_coming": _number(value("remind_coming", "")),
        "rows": [
            {
                "n": row.number,
                "row_label": t("meetings.form.row", number=row.number),
                "start": row.start,
                "end": row.end,
                "kind": row.kind,
                "row_title": row.title,
                "presenter": row.presenter,
                # Type and presenter open on demand, or at once when there is a presenter.
                "has_details": bool(row.presenter),
            }
            for row in view.rows
        ],
        "row_count": len(view.rows),
        "more_rows": min(len(view.rows) + FORM_ROW_STEP, FORM_MAX_ROWS),
        "can_add_rows": len(view.rows) < FORM_MAX_ROWS,
        "add_rows_label": t(
            "meetings.form.add_rows",
            count=min(FORM_ROW_STEP, max(FORM_MAX_ROWS - len(view.rows), 0)),
        ),
        "sources": dict(view.sources),
        "editing": view.editing,
    }
    return render("meetings_form", data, t)


# ---- lists ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListEntry:
    view: MeetingView
    my_choice: str = ""


@dataclass(frozen=True)
class CommitteeLine:
    name: str
    own: int
    joint: int
    target: int


def build_list_card(
    entries: Sequence[ListEntry],
    t: Translator,
    *,
    heading: str,
    year: int | None = None,
    period: str = "",
    year_label: str = "",
    committees: Sequence[CommitteeLine] = (),
    show_year_button: bool = False,
) -> dict[str, Any]:
    items = []
    for entry in entries:
        v = entry.view
        start = v.starts_at.timetz().replace(tzinfo=None)
        end = v.ends_at.timetz().replace(tzinfo=None)
        banner = _status_banner(v, t)
        items.append(
            {
                "meeting_id": v.id,
                "title": v.title,
                "line": t(
                    "meetings.list.line",
                    date=long_date(v.starts_at.date(), t),
                    span=span_text(start, end, t),
                    mode=mode_label(v.mode, t),
                ),
                "committees": _committees_text(v, t),
                "place": v.place,
                "has_place": bool(v.place),
                "status": banner,
                "has_status": bool(banner),
                "answer": t("meetings.card.my_choice", label=choice_label(entry.my_choice, t))
                if entry.my_choice
                else t("meetings.list.no_answer"),
                "show_answer": v.status == "planned",
            }
        )
    data = {
        "heading": heading,
        "period": period,
        "has_period": bool(period),
        "items": items,
        "empty": not items,
        "has_committees": bool(committees),
        "committees_title": t("meetings.year.committees", year=year_label or str(year or "")),
        "committee_facts": [
            {
                "title": line.name,
                "value": t(
                    "meetings.year.committee_line"
                    if line.own >= line.target
                    else "meetings.year.committee_missing",
                    own=line.own,
                    target=line.target,
                    joint=line.joint,
                    missing=max(0, line.target - line.own),
                ),
            }
            for line in committees
        ],
        "show_year_button": show_year_button,
        "year": year or 0,
    }
    return render("meetings_list", data, t)


# ---- 1:1 notices and the meeting chat --------------------------------------------------------


def build_notice_card(
    view: MeetingView,
    t: Translator,
    *,
    headline: str,
    text: str = "",
    with_rsvp: bool = False,
    changes: Sequence[str] = (),
) -> dict[str, Any]:
    """A 1:1 message about a meeting: a reminder, a change (``changes``: one line per thing
    that changed, old → new), a cancellation, a request to answer again. ``with_rsvp`` adds
    the answer buttons the mode allows."""
    data = {
        "meeting_id": view.id,
        "headline": headline,
        "text": text,
        "has_text": bool(text),
        "changes": [{"line": line} for line in changes],
        "title": view.title,
        "facts": _summary_facts(view, t),
        "with_rsvp": with_rsvp and view.status == "planned",
        "rsvp": [{"choice": c, "label": choice_label(c, t)} for c in view.choices],
        "has_join_url": bool(view.join_url) and view.status == "planned",
        "join_url": view.join_url,
    }
    return render("meetings_notice", data, t)


def build_start_card(view: MeetingView, rules: Sequence[str], t: Translator) -> dict[str, Any]:
    """Posted in the meeting chat when the meeting starts: the agenda and the rules of the
    frame."""
    data = {
        "title": t("meetings.start.title", title=view.title),
        "day": long_date(view.starts_at.date(), t),
        "agenda": _agenda_facts(view, t),
        "has_agenda": bool(view.agenda),
        "has_general": bool(view.general_objective),
        "general_objective": view.general_objective,
        "rules": [{"text": f"- {rule}"} for rule in rules],
        "has_rules": bool(rules),
    }
    return render("meetings_start", data, t)


def build_survey_offer_card(
    view: MeetingView, t: Translator, *, verb: str, template: str
) -> dict[str, Any]:
    """To the animateur after the meeting: post the satisfaction survey? (``verb`` is the
    polls feature's, passed in so this card only exists when that feature does)."""
    data = {
        "meeting_id": view.id,
        "text": t(
            "meetings.survey.offer", title=view.title, date=long_date(view.starts_at.date(), t)
        ),
        "verb": verb,
        "template": template,
    }
    return render("meetings_survey", data, t)


def build_which_meeting_card(
    choices: Sequence[tuple[str, str, date]], chat: str, t: Translator
) -> dict[str, Any]:
    """To the animateurs in 1:1: a Teams meeting started with a link several planned meetings
    share; one button per plausible meeting (``(meeting_id, title, day)``)."""
    data = {
        "choices": [
            {
                "meeting_id": meeting_id,
                "label": t("meetings.which.choice", title=title, date=long_date(day, t)),
                "verb": str(MeetingVerb.link_chat),
                "chat": chat,
            }
            for meeting_id, title, day in choices
        ]
    }
    return render("meetings_which", data, t)


# ---- planning a cycle ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlanLine:
    """One meeting of a cycle plan, proposed or existing (local day and times)."""

    day: date
    start: time
    end: time
    committee_names: tuple[str, ...]
    mode: str
    place: str = ""
    title: str = ""  # existing meetings: their title
    cancelled: bool = False


def _plan_line(line: PlanLine, t: Translator) -> dict[str, Any]:
    names = t("meetings.card.committee_separator").join(line.committee_names)
    committees = (
        t("meetings.card.joint", committees=names) if len(line.committee_names) > 1 else names
    )
    parts = [
        t(
            "meetings.plan.line",
            date=long_date(line.day, t),
            span=span_text(line.start, line.end, t),
        ),
        committees,
        mode_label(line.mode, t),
    ]
    if line.place:
        parts.append(line.place)
    if line.title and committees in line.title:  # « Rencontre – Comité des CLSC »: said once
        parts[1] = line.title
    elif line.title:
        parts.insert(1, line.title)
    text = t("meetings.plan.separator").join(parts)
    if line.cancelled:
        text = t("meetings.plan.cancelled", line=text)
    return {"text": text}


@dataclass(frozen=True)
class PlanRow:
    """An editable line of the proposal: its text and its day (``YYYY-MM-DD``)."""

    line: PlanLine
    day: str
    from_poll: bool = False


@dataclass(frozen=True)
class PlanState:
    """What every action of the proposal card carries back (checked again by the bot)."""

    label: str  # the cycle (« 2027-2028 »)
    lines: str  # the proposal's lines, encoded (dialogs/meetings/planning.py)
    seen: str  # fingerprint of the cycle's meetings when the card was drawn
    first_day: str = ""  # the cycle's first and last days (the date pickers' bounds)
    last_day: str = ""


def per_committee_text(lines: Sequence[PlanLine], t: Translator, order: Sequence[str] = ()) -> str:
    """« CH : 5 rencontres, dont 2 conjointes · CLSC : 5 … »: what each committee's year will
    hold (joint meetings count for every committee they bring together), cancelled ones left
    out; "" with a single committee and no joint meeting. The committees come in ``order`` (the
    profile's), else in the order a joint meeting names them, whatever line comes first."""
    totals: dict[str, list[int]] = {}
    for line in lines:
        if line.cancelled:
            continue
        for name in line.committee_names:
            own_joint = totals.setdefault(name, [0, 0])
            own_joint[1 if len(line.committee_names) > 1 else 0] += 1
    if len(totals) < 2 and not any(joint for _, joint in totals.values()):
        return ""
    widest: tuple[str, ...] = ()
    for line in lines:
        if len(line.committee_names) > len(widest):
            widest = line.committee_names
    known = list(order) or list(widest)
    ranked = sorted(totals, key=lambda name: known.index(name) if name in known else len(known))
    items = [
        t.plural("meetings.plan.per_committee_item", sum(totals[name]), committee=name)
        + (
            t.plural("meetings.plan.per_committee_joint", totals[name][1])
            if totals[name][1]
            else ""
        )
        for name in ranked
    ]
    return t("meetings.plan.per_committee", items=t("meetings.plan.separator").join(items))


def build_plan_card(
    t: Translator,
    *,
    period: str,
    state: PlanState,
    proposals: Sequence[PlanRow],
    existing: Sequence[PlanLine],
    unplaced: int,
    series: Sequence[tuple[str, str]] = (),
    editable: bool = True,
    can_publish: bool = True,
    can_poll: bool = False,
    poll_note: str = "",
    notice: str = "",
    errors: Sequence[str] = (),
    hint: str = "",
) -> dict[str, Any]:
    """``planifier``: the whole proposal for a cycle, one editable line per meeting (a date to
    move it, a « Retirer » box) applied by « Appliquer les modifications »; a line to add
    (``series``: (value, label) of each committee and of the joint meeting); « Publier tout »;
    and the meetings that already exist."""
    rows = []
    for index, row in enumerate(proposals):
        text = _plan_line(row.line, t)["text"]
        if row.from_poll:
            text = t("meetings.plan.from_poll", line=text)
        rows.append(
            {
                "text": text,
                "day": row.day,
                "index": index,
                "input_id": f"day_{index}",
                "drop_id": f"drop_{index}",
                "day_label": t("meetings.plan.day_label", number=index + 1),
            }
        )
    per_committee = per_committee_text(
        [row.line for row in proposals] + list(existing),
        t,
        [label for _, label in series],  # the committees in the profile's order
    )
    data = {
        "heading": t("meetings.plan.heading", year=state.label),
        "period": period,
        "summary": t.plural("meetings.plan.summary", len(proposals))
        if proposals
        else t.plural("meetings.plan.unplaced", unplaced)
        if unplaced  # not « complete »: some meetings found no date
        else t("meetings.plan.complete"),
        "per_committee": per_committee,
        "has_per_committee": bool(per_committee),
        "proposals": rows,
        "has_proposals": bool(proposals),
        "existing_title": t.plural("meetings.plan.existing", len(existing)),
        "existing": [_plan_line(line, t) for line in existing],
        "has_existing": bool(existing),
        "unplaced": t.plural("meetings.plan.unplaced", unplaced),
        "has_unplaced": unplaced > 0 and bool(proposals),
        "plan": state.label,
        "lines": state.lines,
        "seen": state.seen,
        "min_day": state.first_day,
        "max_day": state.last_day,
        "editable": editable,
        # Without proposals (a complete cycle) the same action posts or redraws the calendar.
        "can_publish": editable and can_publish and bool(proposals or existing),
        "publish_label": t(
            "meetings.plan.publish" if proposals else "meetings.plan.publish_calendar"
        ),
        "can_poll": editable and can_poll and bool(proposals),
        "series_choices": [{"title": label, "value": value} for value, label in series],
        "add_default": series[0][0] if series else "",
        "has_poll_note": bool(poll_note),
        "poll_note": poll_note,
        "has_notice": bool(notice),
        "notice": notice,
        "errors": [{"text": e} for e in errors],
        "has_hint": bool(hint),
        "hint": hint,
    }
    return render("meetings_plan", data, t)


# ---- the cycle calendar ----------------------------------------------------------------------


def build_calendar_card(
    t: Translator,
    *,
    label: str,
    period: str,
    meetings: Sequence[MeetingView],
    ics_url: str = "",
) -> dict[str, Any]:
    """Posted in the channel once a cycle is published: every meeting of the cycle (date,
    hours, committees, mode and venue) and the button to download one .ics with all of them;
    redrawn when a meeting of the cycle is created, edited or cancelled."""
    items = []
    for view in meetings:
        start = view.starts_at.timetz().replace(tzinfo=None)
        end = view.ends_at.timetz().replace(tzinfo=None)
        where = mode_label(view.mode, t)
        if view.place:
            where = t("meetings.plan.separator").join([where, view.place])
        status = _status_banner(view, t)
        items.append(
            {
                "when": t(
                    "meetings.plan.line",
                    date=long_date(view.starts_at.date(), t),
                    span=span_text(start, end, t),
                ),
                "committees": _title_and_committees(view, t),
                "where": where,
                "status": status,
                "has_status": bool(status),
            }
        )
    per_committee = per_committee_text(
        [
            PlanLine(
                v.starts_at.date(),
                v.starts_at.timetz(),
                v.ends_at.timetz(),
                v.committee_names,
                v.mode,
                cancelled=v.status == "cancelled",
            )
            for v in meetings
        ],
        t,
    )
    data = {
        "heading": t("meetings.calendar.heading", year=label),
        "period": period,
        "per_committee": per_committee,
        "has_per_committee": bool(per_committee),
        "items": items,
        "empty": not items,
        "plan": label,
        "has_link": bool(ics_url),
        "link_text": t("meetings.calendar.link", url=ics_url) if ics_url else "",
    }
    return render("meetings_calendar", data, t)
