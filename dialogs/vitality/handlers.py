"""The vitality report's commands and card actions.

- ``bilan`` / ``report`` [period] [committee]: the report card, with its CSV and one-page PDF
  links (animateurs, and the sponsors named in the community profile);
- ``bilan projet`` / ``report project`` [AAAA-MM-JJ] Titre | description | type |
  organisations | lien: add a project or tool to the list (animateurs); alone, the list with a
  « Retirer » button per project and a form to add one (kind, organisations that use it, link);
- card actions: another period or scope of the report; remove a project.

A member who is neither animateur nor sponsor gets a polite refusal and nothing is computed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from cards.dates import short_date
from cards.i18n import SUPPORTED_LOCALES, Translator, fold
from cards.vitality import (
    ProjectLine,
    ProjectsView,
    build_projects_card,
    build_report_card,
)
from dialogs import cycles
from dialogs.deidentify import find_identifiers
from dialogs.polls import queries as polls
from dialogs.roles import Role
from dialogs.turn import CardReply, DomainError, Turn
from dialogs.vitality import rules
from dialogs.vitality.exports import CSV_CONTENT_TYPE, report_csv
from dialogs.vitality.inputs import gather, vitality_repository
from dialogs.vitality.report_pdf import PDF_CONTENT_TYPE, report_pdf
from dialogs.vitality.views import Links, report_view
from storage.community import CommunityProfile
from storage.vitality_repository import Project

logger = logging.getLogger(__name__)


# ---- who may read the report -----------------------------------------------------------------


async def _require_reader(turn: Turn) -> None:
    if not turn.caller.role.allows(Role.SPONSOR):
        logger.info("vitality report refused to %s", turn.caller.member_key)
        raise DomainError("command.report.forbidden")


# ---- the report ------------------------------------------------------------------------------


def committee_words() -> set[str]:
    return {Translator(locale)("vitality.committee_word") for locale in SUPPORTED_LOCALES}


def _committee_list(profile: CommunityProfile) -> str:
    return ", ".join(c.id for c in profile.committees)


def _refusal(problem: rules.ArgsError, profile: CommunityProfile) -> DomainError:
    """The refusal, with the committees to choose from and one that makes a working example
    (« bilan comité ch »)."""
    example = profile.committees[0].id if profile.committees else ""
    code = problem.code
    if code == "vitality.errors.bad_args" and not example:
        code = "vitality.errors.bad_args_no_committee"
    values = {"committees": _committee_list(profile), "committee": example, **problem.values}
    return DomainError(code, **values)


def _file_name(t: Translator, request: rules.ReportRequest, extension: str) -> str:
    period = request.period
    parts = [t(f"vitality.file.{extension}"), period.start.isoformat(), period.end.isoformat()]
    if request.committee_id:
        parts.append(request.committee_id)
    return "-".join(parts) + f".{extension}"


async def report_card(turn: Turn, request: rules.ReportRequest) -> dict[str, Any]:
    """Compute the report, publish its CSV and PDF, and build the card."""
    services, t = turn.services, turn.t
    profile = services.profile.current
    today = services.now().date()
    inputs = await gather(services, request)
    report = rules.compute_report(inputs, request, today, profile.small_group_threshold)
    owner = turn.caller.member_key

    offer = turn.caller.is_animateur and await _outcomes_offer_due(turn)
    plain = report_view(report, profile, t)
    csv_url = await services.downloads.publish(
        report_csv(plain, t, today),
        _file_name(t, request, "csv"),
        CSV_CONTENT_TYPE,
        owner_key=owner,
    )
    pdf_links: list[tuple[str, str]] = []
    for locale in dict.fromkeys((profile.default_locale, t.locale)):
        pdf_t = Translator(locale)
        pdf = report_pdf(report_view(report, profile, pdf_t), pdf_t, today)
        url = await services.downloads.publish(
            pdf, _file_name(pdf_t, request, "pdf"), PDF_CONTENT_TYPE, owner_key=owner
        )
        language = t(f"language.name.{locale}")
        pdf_links.append((t("vitality.pdf_button", language=language), url))
    view = report_view(report, profile, t, Links(csv_url, tuple(pdf_links), offer))
    logger.info(
        "vitality report %s..%s committee=%s for %s",
        request.period.start,
        request.period.end,
        request.committee_id or "-",
        owner,
    )
    return build_report_card(view, t)


async def _outcomes_offer_due(turn: Turn) -> bool:
    """In the cycle's last months, when no outcomes survey was posted during the cycle."""
    services = turn.services
    today = services.now().date()
    cycle = cycles.of_community(services.profile.current).of(today)
    start, end = cycle.bounds(services.timezone)
    try:
        launched = await polls.outcomes_launched(services, start, end)
    except Exception:  # the polls feature's failure must not stop the report
        logger.exception("vitality: the outcomes survey lookup failed")
        return False
    return rules.outcomes_offer_due(today, cycle, launched)


async def show_report(turn: Turn) -> None:
    await _require_reader(turn)
    profile = turn.services.profile.current
    try:
        request = rules.parse_request(
            turn.args,
            turn.services.now().date(),
            [c.id for c in profile.committees],
            committee_words(),
            cycles.of_community(profile),
        )
    except rules.ArgsError as problem:
        raise _refusal(problem, profile) from None
    await turn.send_card(await report_card(turn, request))


async def show_report_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    await _require_reader(turn)
    profile = turn.services.profile.current
    try:
        request = rules.request_from_card(data, [c.id for c in profile.committees])
    except rules.ArgsError as problem:
        raise _refusal(problem, profile) from None
    return CardReply(await report_card(turn, request))


# ---- projects --------------------------------------------------------------------------------


MAX_PROJECTS_SHOWN = 40


def kind_words() -> dict[str, str]:
    """Each project kind's name in every language, folded → the kind (« formation »)."""
    return {
        fold(Translator(locale)(f"vitality.project_kind.{kind}")): kind
        for locale in SUPPORTED_LOCALES
        for kind in rules.PROJECT_KINDS
    }


def _kind_name(kind: str, t: Translator) -> str:
    return t(f"vitality.project_kind.{kind}") if kind in rules.PROJECT_KINDS else ""


async def projects_card(turn: Turn, message: str = "") -> dict[str, Any]:
    """The latest projects first (at most MAX_PROJECTS_SHOWN, for the card's size), and the
    form to add one."""
    t = turn.t
    projects = await vitality_repository(turn.services).projects()
    lines = tuple(
        ProjectLine(
            p.id,
            short_date(p.done_on, t),
            p.title,
            p.description,
            kind=_kind_name(p.kind, t),
            organisations=", ".join(p.organisations),
            link=p.link,
        )
        for p in reversed(projects[-MAX_PROJECTS_SHOWN:])
    )
    kinds = tuple((kind, t(f"vitality.project_kind.{kind}")) for kind in rules.PROJECT_KINDS)
    today = turn.services.now().date().isoformat()
    return build_projects_card(ProjectsView(message, lines, kinds, today), t)


async def _save_project(turn: Turn, draft: rules.ProjectDraft) -> str:
    """Check the texts with the de-identification guard, store, and word the confirmation."""
    services, t = turn.services, turn.t
    written = "\n".join((draft.title, draft.description, *draft.organisations))
    if find_identifiers(written):
        logger.info("vitality project refused by the de-identification guard")
        raise DomainError("vitality.errors.project_identifiers")
    project = Project(
        id=uuid.uuid4().hex[:12],
        title=draft.title,
        description=draft.description,
        done_on=draft.done_on,
        created_by=turn.caller.member_key,
        created_at=services.clock(),
        kind=draft.kind,
        organisations=draft.organisations,
        link=draft.link,
    )
    await vitality_repository(services).add_project(project)
    logger.info("vitality project %s added by %s", project.id, turn.caller.member_key)
    return t("vitality.projects.added", title=project.title, day=short_date(project.done_on, t))


async def add_project(turn: Turn) -> None:
    services = turn.services
    if not turn.args.strip():
        await turn.send_card(await projects_card(turn))
        return
    try:
        draft = rules.parse_project(turn.args, services.now().date(), kind_words())
    except rules.ArgsError as problem:
        raise _refusal(problem, services.profile.current) from None
    message = await _save_project(turn, draft)
    await turn.send_card(await projects_card(turn, message))


PROJECT_FIELDS = ("title", "description", "done_on", "kind", "organisations", "link")


async def add_project_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    """The projects card's form: title, day, description, kind, organisations, link."""
    values = {name: data.get(name, "") for name in PROJECT_FIELDS}
    if not all(isinstance(v, str) for v in values.values()):
        raise DomainError("errors.bad_card_data")
    fields = {name: str(v) for name, v in values.items()}
    services = turn.services
    today = services.now().date()
    try:
        done_on = rules.parse_day(fields["done_on"]) if fields["done_on"].strip() else today
        if done_on is None:
            raise rules.ArgsError("vitality.errors.bad_date", text=fields["done_on"])
        kind = fields["kind"].strip()
        if kind and kind not in rules.PROJECT_KINDS:
            raise rules.ArgsError("errors.bad_card_data")
        draft = rules.check_project(
            rules.ProjectDraft(
                fields["title"],
                fields["description"],
                done_on,
                kind,
                rules.parse_organisations(fields["organisations"]),
                rules.parse_link(fields["link"]),
            ),
            today,
        )
    except rules.ArgsError as problem:
        raise _refusal(problem, services.profile.current) from None
    message = await _save_project(turn, draft)
    return CardReply(await projects_card(turn, message))


def _project_id(data: Mapping[str, Any]) -> str:
    value = data.get("project_id")
    if not isinstance(value, str) or len(value) != 12 or not value.isalnum():
        raise DomainError("errors.bad_card_data")
    return value


async def remove_project_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    project_id = _project_id(data)
    removed = await vitality_repository(turn.services).remove_project(project_id)
    if removed is None:
        raise DomainError("vitality.errors.project_not_found")
    logger.info("vitality project %s removed by %s", project_id, turn.caller.member_key)
    message = turn.t("vitality.projects.removed", title=removed.title)
    return CardReply(await projects_card(turn, message))
