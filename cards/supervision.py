"""Cards of ad hoc clinical supervision: the request form, the card a resource person or an
animateur receives (« Je m'en occupe »), the requester's card (who took it, the chat link, the
offer to bring it to the next meeting as a case), the views the handlers fill, and the verbs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cards.findings import FindingLine as FindingLine
from cards.findings import finding_lines
from cards.i18n import Translator
from cards.render import render

URGENCY_CODES = ("today", "week", "meeting")


class SupervisionVerb(StrEnum):
    submit = "supervision.submit"
    accept = "supervision.accept"
    cancel = "supervision.cancel"
    consent = "supervision.consent"
    view = "supervision.view"


@dataclass(frozen=True)
class OpenLine:
    id: str
    title: str
    urgency: str


@dataclass(frozen=True)
class RequestForm:
    title: str = ""
    context: str = ""
    question: str = ""
    urgency: str = ""
    themes: str = ""
    problem: str = ""  # a code of supervision.problem.*
    findings: tuple[FindingLine, ...] = ()
    open_requests: tuple[OpenLine, ...] = ()


@dataclass(frozen=True)
class OfferView:
    """The request as a resource person or an animateur sees it. ``state``: open, mine (the
    viewer took it), taken (someone else did: ``taker``), closed (cancelled, offered, expired)."""

    id: str
    title: str
    context: str
    question: str
    urgency: str
    themes: str
    requester: str
    state: str
    taker: str = ""
    chat_link: str = ""  # to the requester, once the viewer took it
    reminder: bool = False
    notice: str = ""  # supervision.notice.* code
    # Teams redraws the card for these users when they look at it (Universal Actions refresh),
    # so a card sent before someone took the request shows who did.
    refresh_user_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequestView:
    """The request as its requester sees it. ``status``: a rules status; ``asking``: the offer
    to bring it to the next meeting as a case is open."""

    id: str
    title: str
    urgency: str
    themes: str
    status: str
    taker: str = ""
    chat_link: str = ""
    asking: bool = False
    notice: str = ""


def urgency_label(code: str, t: Translator) -> str:
    return t(f"supervision.urgency.{code}") if code in URGENCY_CODES else "—"


def build_form_card(form: RequestForm, t: Translator) -> dict[str, Any]:
    return render(
        "supervision_form",
        {
            "has_problem": bool(form.problem),
            "problem": t(f"supervision.problem.{form.problem}") if form.problem else "",
            "has_findings": bool(form.findings),
            "findings": finding_lines(form.findings, t, "supervision"),
            "title": form.title,
            "context": form.context,
            "question": form.question,
            "urgency": form.urgency,
            "urgencies": [{"title": urgency_label(u, t), "value": u} for u in URGENCY_CODES],
            "themes": form.themes,
            "has_open": bool(form.open_requests),
            "open_requests": [
                {
                    "id": line.id,
                    "line": t(
                        "supervision.form.open_line",
                        title=line.title,
                        urgency=urgency_label(line.urgency, t),
                    ),
                }
                for line in form.open_requests
            ],
        },
        t,
    )


def build_offer_card(view: OfferView, t: Translator) -> dict[str, Any]:
    if view.state == "mine":
        state = t("supervision.offer.mine")
    elif view.state == "taken":
        state = t("supervision.offer.taken_by", name=view.taker or t("supervision.someone"))
    elif view.state == "closed":
        state = t("supervision.offer.closed")
    else:
        state = ""
    return render(
        "supervision_offer",
        {
            "id": view.id,
            "heading": t(
                "supervision.offer.reminder_title" if view.reminder else "supervision.offer.title"
            ),
            "meta": t(
                "supervision.offer.meta",
                name=view.requester or t("supervision.someone"),
                urgency=urgency_label(view.urgency, t),
            ),
            "themes": t("supervision.offer.themes", themes=view.themes),
            "title": view.title,
            "context": view.context,
            "question": view.question,
            "has_notice": bool(view.notice),
            "notice": t(f"supervision.notice.{view.notice}") if view.notice else "",
            "has_state": bool(state),
            "state": state,
            "can_accept": view.state == "open",
            "refresh_user_ids": list(view.refresh_user_ids),
            "has_link": bool(view.chat_link),
            "chat_link": view.chat_link,
        },
        t,
    )


def build_request_card(view: RequestView, t: Translator) -> dict[str, Any]:
    if view.status == "taken":
        status = t("supervision.request.taken_by", name=view.taker or t("supervision.someone"))
    else:
        status = t(f"supervision.request.status.{view.status}")
    return render(
        "supervision_request",
        {
            "id": view.id,
            "title": view.title,
            "meta": t(
                "supervision.request.meta",
                urgency=urgency_label(view.urgency, t),
                themes=view.themes,
            ),
            "status": status,
            "has_notice": bool(view.notice),
            "notice": t(f"supervision.notice.{view.notice}") if view.notice else "",
            "has_link": bool(view.chat_link),
            "chat_link": view.chat_link,
            "asking": view.asking,
            "can_cancel": view.status == "open",
        },
        t,
    )
