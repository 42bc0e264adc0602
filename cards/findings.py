"""What the de-identification guard found in a form that shows it in place (library,
supervision, notes): one line per finding — the field, the kind, the text found."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cards.i18n import Translator


@dataclass(frozen=True)
class FindingLine:
    field: str  # the form field (title, context, key_points, fu_text_<n>…)
    kind: str  # a dialogs/deidentify.py kind
    text: str


def finding_lines(
    findings: Sequence[FindingLine],
    t: Translator,
    feature: str,
    field_label: Callable[[str, Translator], str] | None = None,
) -> list[dict[str, str]]:
    """The template rows: ``<feature>.finding.line`` with the field's label
    (``<feature>.field.<field>`` unless ``field_label`` words it) and the kind's."""
    return [
        {
            "line": t(
                f"{feature}.finding.line",
                field=field_label(f.field, t) if field_label else t(f"{feature}.field.{f.field}"),
                kind=t(f"topics.finding.{f.kind}"),
                text=f.text,
            )
        }
        for f in findings
    ]
