"""The de-identification guard on a form that shows its findings in place (library, supervision,
notes): every text of the draft through dialogs/deidentify.py, with the names the CdeP knows
(``dialogs.onboarding.queries.guard_names``). Nothing of the texts is logged: the count and the
kinds only."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from cards.findings import FindingLine
from dialogs.deidentify import find_identifiers

logger = logging.getLogger(__name__)


def screen(texts: Mapping[str, str], names: Iterable[str], what: str) -> tuple[FindingLine, ...]:
    """What the guard finds in ``texts`` (field → text), field by field; when it finds
    something, logs that ``what`` (« resource », « notes »…) was refused, with counts and kinds."""
    known = tuple(names)
    findings = tuple(
        FindingLine(field, f.kind, f.text)
        for field, text in texts.items()
        for f in find_identifiers(text, known)
    )
    if findings:
        logger.info(
            "%s refused by the de-identification guard: %d finding(s), kinds %s",
            what,
            len(findings),
            sorted({f.kind for f in findings}),
        )
    return findings
