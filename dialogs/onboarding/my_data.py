"""« mes données » / "my data": what every feature keeps about the caller, its JSON export, and
its erasure (with an audit entry without personal content)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from cards.dates import long_date, long_date_time
from cards.i18n import Translator
from cards.onboarding import (
    DataSection,
    MyDataView,
    build_download_card,
    build_erase_confirm_card,
    build_my_data_card,
    build_notice_card,
)
from dialogs.onboarding import rules
from dialogs.onboarding.profiles import (
    DOWNLOAD_TTL,
    FEATURE_NAME,
    MAX_DATA_LINES,
    community_of,
    file_stem,
    profile_store,
    today_in,
)
from dialogs.turn import CardReply, DomainError, Services, Turn
from storage.profile_repository import AuditEntry

logger = logging.getLogger(__name__)


# ---- « mes données » -------------------------------------------------------------------------


def feature_name(feature: Any) -> str:
    """``dialogs.polls.routes`` → ``polls``."""
    parts = str(getattr(feature, "__name__", "")).split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "dialogs" else parts[-1]


def _ordered_features(services: Services) -> list[Any]:
    """Every feature, this one last (its erasure removes the profile others may still read)."""
    features = list(services.features)
    return sorted(features, key=lambda f: feature_name(f) == FEATURE_NAME)


async def collect_member_data(
    services: Services, key: str
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Every feature's ``member_data``: (feature name → sections, features that failed)."""
    collected: dict[str, dict[str, Any]] = {}
    failed: list[str] = []
    for feature in _ordered_features(services):
        reader = getattr(feature, "member_data", None)
        if reader is None:
            continue
        name = feature_name(feature)
        try:
            data = await reader(services, key)
        except Exception:  # one feature's failure must not hide the others' data
            logger.exception("member_data of %s failed", name)
            failed.append(name)
            continue
        if data:
            collected[name] = dict(data)
    return collected, failed


def _path_label(path: str, t: Translator) -> str:
    labels = []
    for part in path.split("."):
        word, _, index = part.partition(" [")
        key = f"mydata.field.{word}"
        label = t(key) if t.has(key) else word
        labels.append(f"{label} [{index}" if index else label)
    return " › ".join(labels)


# Codes worded with onboarding's own labels; other codes: ``mydata.value.<field>.<code>``.
_CODE_LABELS = {
    "discipline": "onboarding.discipline.",
    "institution_kind": "onboarding.kind.",
    "locale": "onboarding.language.",
}
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _value_shower(services: Services, t: Translator) -> Callable[[str, Any], str | None]:
    """How « mes données » words a value for the reader: a code's label, a committee's name,
    a date or moment in the reader's long format (the JSON export keeps the raw values)."""
    committees = {c.id: c.name.get(t.locale) for c in services.profile.current.committees}

    def show(path: str, value: Any) -> str | None:
        field = path.rsplit(".", 1)[-1].split(" [", 1)[0]
        if not isinstance(value, str) or not value:
            return None
        if field == "committees" and value in committees:
            return committees[value]
        keys = [f"mydata.value.{field}.{value}"]
        if field in _CODE_LABELS:
            keys.append(f"{_CODE_LABELS[field]}{value}")
        for key in keys:
            if t.has(key):
                return t(key)
        if _ISO_MOMENT.match(value):
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return None
            return long_date_time(moment.astimezone(services.timezone), t)
        if _ISO_DAY.match(value):
            try:
                return long_date(date.fromisoformat(value), t)
            except ValueError:
                return None
        return None

    return show


def _section_title(name: str, t: Translator) -> str:
    key = f"mydata.section.{name}"
    return t(key) if t.has(key) else name.replace("_", " ").capitalize()


async def _my_data_card(turn: Turn) -> dict[str, Any]:
    collected, failed = await collect_member_data(turn.services, turn.caller.member_key)
    sections: list[DataSection] = []
    show = _value_shower(turn.services, turn.t)
    budget = MAX_DATA_LINES
    hidden = 0
    for feature_sections in collected.values():
        for name, content in feature_sections.items():
            lines = [(_path_label(p, turn.t), v) for p, v in rules.flatten(content, show=show)]
            shown, rest = lines[: max(budget, 0)], lines[max(budget, 0) :]
            budget -= len(shown)
            hidden += len(rest)
            if shown or not rest:
                sections.append(DataSection(_section_title(name, turn.t), shown))
    view = MyDataView(sections=sections, hidden_lines=hidden, failed_sections=failed)
    return build_my_data_card(view, turn.t)


async def show_my_data(turn: Turn) -> None:
    await turn.send_card(await _my_data_card(turn))


async def show_my_data_action(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return CardReply(await _my_data_card(turn))


async def export_my_data(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    services = turn.services
    collected, failed = await collect_member_data(services, turn.caller.member_key)
    document = {
        "exported_at": services.clock().astimezone(UTC).isoformat(timespec="seconds"),
        "community": community_of(services).name,
        "member_key": turn.caller.member_key,
        "data": collected,
        "unavailable": failed,
    }
    content = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    filename = f"{file_stem(turn.t, 'my_data')}-{today_in(services).isoformat()}.json"
    url = await services.downloads.publish(
        content,
        filename,
        "application/json",
        owner_key=turn.caller.member_key,
        ttl=DOWNLOAD_TTL,
    )
    logger.info("member data exported for member %s", turn.caller.member_key)
    return CardReply(
        build_download_card(turn.t("onboarding.download.mydata_title"), filename, url, turn.t)
    )


async def ask_erase(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    return CardReply(build_erase_confirm_card(turn.t))


async def erase_my_data(turn: Turn, data: Mapping[str, Any]) -> CardReply:
    if data.get("confirm") != "yes":
        raise DomainError("errors.bad_card_data")
    services = turn.services
    key = turn.caller.member_key
    t = turn.t  # the caller's language, before their preference is erased
    took_part: list[str] = []
    failed: list[str] = []
    caller = turn.caller
    member = await services.members.get(key)
    profile = await profile_store(services).get(key)
    mentions = {
        member.name if member else "",
        profile.name if profile else "",
        profile.email if profile else "",
    }
    try:  # the stored 1:1 chat, messages queued for the member, and those naming them
        await services.messenger.forget(
            key, caller.aad_object_id, caller.teams_user_id, mentions=mentions
        )
        took_part.append("messenger")
    except Exception:
        logger.exception("messenger forget failed")
        failed.append("messenger")
    for feature in _ordered_features(services):
        forget = getattr(feature, "forget_member", None)
        if forget is None:
            continue
        name = feature_name(feature)
        try:
            await forget(services, key)
        except Exception:  # the others still erase; the member is told to try again
            logger.exception("forget_member of %s failed", name)
            failed.append(name)
        else:
            took_part.append(name)
    await profile_store(services).add_audit(
        AuditEntry(
            at=services.clock(),
            action="member_data_erased",
            actor_role="member",
            features=tuple(took_part),
            failed=tuple(failed),
        )
    )
    logger.info("member data erased (%d features, %d failed)", len(took_part), len(failed))
    text = t("onboarding.erase.partial" if failed else "onboarding.erase.done")
    return CardReply(build_notice_card(t("onboarding.mydata.title"), text, t))
