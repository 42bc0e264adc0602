"""What the topic and case handlers share: card data checks, the guard's refusal card, names
the guard must know, new ids."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from cards.topics import FieldInput, FindingLine, FindingsView, build_findings_card
from dialogs.deidentify import KINDS
from dialogs.onboarding import queries as onboarding
from dialogs.topics import rules
from dialogs.turn import CardReply, DomainError, Turn

logger = logging.getLogger(__name__)
T = TypeVar("T")


def new_id() -> str:
    return secrets.token_hex(5)


def checked(read: Callable[[], T]) -> T:
    """Run a card-data reader; tampered data becomes the standard refusal."""
    try:
        return read()
    except rules.BadCardData as bad:
        logger.info("bad card data in field %s", bad)
        raise DomainError("errors.bad_card_data") from None


def with_carried(data: Mapping[str, Any]) -> dict[str, Any]:
    """The guard's card carries the form's non-text values under ``carried``; the edited texts
    come back as inputs. Merge them (inputs win)."""
    carried = data.get("carried")
    if carried is None:
        return dict(data)
    if not isinstance(carried, Mapping):
        raise DomainError("errors.bad_card_data")
    return {**carried, **{k: v for k, v in data.items() if k != "carried"}}


async def known_names(turn: Turn) -> list[str]:
    """Names the guard looks for besides its own lists: the roster, the community's animateurs
    and sponsors, and the caller."""
    return await onboarding.guard_names(turn.services, turn.caller.name)


def refusal(
    turn: Turn,
    texts: Mapping[str, str],
    screened: Sequence[rules.FieldFindings],
    *,
    submit_verb: str,
    cancel_verb: str,
    carried: Mapping[str, Any],
    multiline: Sequence[str],
    max_lengths: Mapping[str, int],
    label_prefix: str,
) -> CardReply:
    """The guard found something: show each finding and the redacted texts to send again.
    Nothing is stored and nothing of the text is logged (kinds and counts only)."""
    tokens = {kind: turn.t(f"topics.token.{kind}") for kind in KINDS}
    proposal = rules.redacted(texts, screened, tokens)
    kinds = sorted({f.kind for s in screened for f in s.findings})
    logger.info(
        "submission refused by the de-identification guard: %d finding(s), kinds %s",
        sum(len(s.findings) for s in screened),
        kinds,
    )
    view = FindingsView(
        submit_verb=submit_verb,
        cancel_verb=cancel_verb,
        findings=tuple(FindingLine(s.field, f.kind, f.text) for s in screened for f in s.findings),
        fields=tuple(
            FieldInput(name, proposal[name], name in multiline, max_lengths.get(name, 3000))
            for name in texts
        ),
        carried=carried,
        field_label_prefix=label_prefix,
    )
    return CardReply(build_findings_card(view, turn.t))
