"""The vitality report's commands and card actions.

- ``bilan`` / ``report`` [period] [committee]: the report card, with its CSV and one-page PDF
  links (animateurs, and the sponsors named in the community profile);
- ``bilan projet`` / ``report project`` [AAAA-MM-JJ] Titre | description: add a project or
  tool to the list (animateurs); alone, the list with a « Retirer » button per project;
- card actions: another period or scope of the report; remove a project.

A member who is neither animateur nor sponsor gets a polite refusal and nothing is computed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from cards.dates import short_date
from cards.i18n import SUPPORTED_LOCALES, Translator
from cards.vitality import (
    ProjectLine,
    ProjectsView,
    build_projects_card,
    build_report_card,
)
from dialogs import cycles
from dialogs.deidentify import find_identifiers
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
    view = report_view(report, profile, t, Links(csv_url, tuple(pdf_links)))
    logger.info(
        "vitality report %s..%s committee=%s for %s",
        request.period.start,
        request.period.end,
        request.committee_id or "-",
        owner,
    )
    return build_report_card(view, t)


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


async def projects_card(turn: Turn, message: str = "") -> dict[str, Any]:
    """The latest projects first (at most MAX_PROJECTS_SHOWN, for the card's size)."""
    projects = await vitality_repository(turn.services).projects()
    lines = tuple(
        ProjectLine(p.id, short_date(p.done_on, turn.t), p.title, p.description)
        for p in reversed(projects[-MAX_PROJECTS_SHOWN:])
    )
    return build_projects_card(ProjectsView(message, lines), turn.t)


async def add_project(turn: Turn) -> None:
    services, t = turn.services, turn.t
    if not turn.args.strip():
        await turn.send_card(await projects_card(turn))
        return
    now = services.now()
    try:
        draft = rules.parse_project(turn.args, now.date())
    except rules.ArgsError as problem:
        raise _refusal(problem, services.profile.current) from None
    if find_identifiers(f"{draft.title}\n{draft.description}"):
        logger.info("vitality project refused by the de-identification guard")
        raise DomainError("vitality.errors.project_identifiers")
    project = Project(
        id=uuid.uuid4().hex[:12],
        title=draft.title,
        description=draft.description,
        done_on=draft.done_on,
        created_by=turn.caller.member_key,
        created_at=services.clock(),
    )
    await vitality_repository(services).add_project(project)
    logger.info("vitality project %s added by %s", project.id, turn.caller.member_key)
    message = t("vitality.projects.added", title=project.title, day=short_date(project.done_on, t))
    await turn.send_card(await projects_card(turn, message))


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
