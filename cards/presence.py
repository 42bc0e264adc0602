"""Presence cards: in-room check-in, a member's history, an animateur's meeting list (with
the correction and assignment forms), recent meetings, certificates, the 1:1 offer of a
certificate, and a "file ready" card for exports.

Builders take plain views whose texts are already in the card's language (dates formatted by
``cards/dates.py``); every fixed sentence comes from the catalog through the templates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cards.i18n import Translator
from cards.render import render


class PresenceVerb(StrEnum):
    checkin = "presence.checkin"
    reveal_code = "presence.reveal_code"  # animateurs: the check-in code, shown to them only
    meeting = "presence.meeting"  # animateurs: a meeting's list
    correct = "presence.correct"
    assign = "presence.assign"
    import_now = "presence.import"
    export = "presence.export"
    send_certificates = "presence.send_certificates"
    certificates = "presence.certificates"  # my certificates, with fresh links


# ---- check-in ------------------------------------------------------------------------------


def build_checkin_card(
    t: Translator,
    *,
    meeting_id: str,
    meeting_line: str,
    notice: str = "",
    notice_is_error: bool = False,
    code: str = "",
) -> dict[str, Any]:
    return render(
        "presence_checkin",
        {
            "meeting_id": meeting_id,
            "meeting_line": meeting_line,
            "has_notice": bool(notice),
            "notice": notice,
            "notice_color": "Attention" if notice_is_error else "Good",
            "has_code": bool(code),
            "code_line": t("presence.checkin.code_line", code=code) if code else "",
        },
        t,
    )


# ---- a member's history ----------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    label: str  # the date and title
    value: str  # mode, time and credited hours


def build_mine_card(
    t: Translator,
    *,
    heading: str,
    total: str,
    empty: str,
    lines: Sequence[HistoryLine],
    has_provisional: bool,
    period: str = "",
) -> dict[str, Any]:
    return render(
        "presence_mine",
        {
            "heading": heading,
            "period": period,
            "has_period": bool(period),
            "total": total,
            "is_empty": not lines,
            "empty": empty,
            "items": [{"label": line.label, "value": line.value} for line in lines],
            "has_provisional": has_provisional,
        },
        t,
    )


# ---- animateurs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListLine:
    name: str
    detail: str  # institution, discipline
    figures: str  # mode, minutes, hours, sources


@dataclass(frozen=True)
class Choice:
    title: str
    value: str


@dataclass(frozen=True)
class MeetingListView:
    meeting_id: str
    heading: str
    subtitle: str
    summary: str
    import_line: str
    lines: Sequence[ListLine]
    unmatched: Sequence[Choice]  # title: who, minutes; value: attendee key
    members: Sequence[Choice]
    audit: Sequence[str]
    can_import: bool
    notice: str = ""


# The correction form's default mode: keep the member's mode as the sources show it.
CURRENT_MODE = "actuel"


def _choices(items: Sequence[Choice]) -> list[dict[str, str]]:
    return [{"title": c.title, "value": c.value} for c in items]


def build_meeting_card(view: MeetingListView, t: Translator) -> dict[str, Any]:
    return render(
        "presence_meeting",
        {
            "meeting_id": view.meeting_id,
            "heading": view.heading,
            "subtitle": view.subtitle,
            "has_notice": bool(view.notice),
            "notice": view.notice,
            "summary": view.summary,
            "import_line": view.import_line,
            "is_empty": not view.lines,
            "lines": [
                {"name": line.name, "detail": line.detail, "figures": line.figures}
                for line in view.lines
            ],
            "has_unmatched": bool(view.unmatched),
            "unmatched": [{"text": c.title, "key": c.value} for c in view.unmatched],
            "members": _choices(view.members),
            "kinds": _choices(
                [Choice(t(f"presence.correct.kind_{k}"), k) for k in ("add", "adjust", "remove")]
            ),
            "default_kind": "adjust",
            "modes": _choices(
                [Choice(t("presence.correct.mode_current"), CURRENT_MODE)]
                + [Choice(t(f"presence.mode.{m}"), m) for m in ("salle", "en_ligne")]
            ),
            "default_mode": CURRENT_MODE,
            "has_audit": bool(view.audit),
            "audit": [{"text": line} for line in view.audit],
            "can_import": view.can_import,
        },
        t,
    )


@dataclass(frozen=True)
class RecentMeeting:
    meeting_id: str
    label: str
    detail: str


def build_recent_card(items: Sequence[RecentMeeting], t: Translator) -> dict[str, Any]:
    return render(
        "presence_recent",
        {
            "is_empty": not items,
            "items": [
                {"meeting_id": i.meeting_id, "label": i.label, "detail": i.detail} for i in items
            ],
        },
        t,
    )


# ---- certificates and files ------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateLink:
    label: str
    detail: str
    url: str


def build_certificates_card(items: Sequence[CertificateLink], t: Translator) -> dict[str, Any]:
    return render(
        "presence_certificates",
        {
            "is_empty": not items,
            "has_items": bool(items),
            "items": [{"label": i.label, "detail": i.detail, "url": i.url} for i in items],
        },
        t,
    )


def build_offer_card(text: str, t: Translator) -> dict[str, Any]:
    return render("presence_offer", {"text": text}, t)


def build_file_card(
    t: Translator, *, title: str, text: str, button: str, url: str
) -> dict[str, Any]:
    return render("presence_file", {"title": title, "text": text, "button": button, "url": url}, t)
