"""The de-identification guard: table-driven rules, then the labelled corpus with precision and
recall.

Corpus scoring (``deidentify_corpus.json``): each labelled identifier is the sensitive core of
the text (« Tremblay » in « Mme Tremblay »). It counts as *caught* when every one of its letters
and digits lies inside some finding (redacting it hides it completely). A finding is *correct*
when it overlaps a labelled identifier. Recall = caught / labelled; precision = correct /
findings. The kinds are reported but not scored: hiding the text is what protects the patient.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from dialogs.deidentify import KINDS, REPLACEMENTS, Finding, find_identifiers, redact

CORPUS_PATH = Path(__file__).with_name("deidentify_corpus.json")
MIN_RECALL = 0.95
MIN_PRECISION = 0.85


def kinds_and_texts(text: str, known: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in find_identifiers(text, known)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NAM TREM 5203 1512", [("nam", "TREM 5203 1512")]),
        ("nam: trem52031512.", [("nam", "trem52031512")]),
        ("NAM TREM-5203-1512", [("nam", "TREM-5203-1512")]),
        ("code TREMB 5203 1512", []),  # five letters: not a NAM
        ("tél. 514 555-0123", [("phone", "514 555-0123")]),
        ("(514) 555-0123 poste 22", [("phone", "(514) 555-0123 poste 22")]),
        ("+1 438.555.0000", [("phone", "+1 438.555.0000")]),
        ("ligne 555-0199", [("phone", "555-0199")]),
        ("écrire à a.b-c@exemple.qc.ca.", [("email", "a.b-c@exemple.qc.ca")]),
        ("code J4K 2T5 ou j4k2t5", [("postal_code", "J4K 2T5"), ("postal_code", "j4k2t5")]),
        ("dossier 4432198", [("file_number", "dossier 4432198")]),
        ("dossier no 812", [("file_number", "dossier no 812")]),
        ("le dossier 2024 de la CdeP", []),  # a year, not a file number
        ("MRN: 0098812", [("file_number", "MRN: 0098812")]),
        ("NAS 123 456 789", [("identifier", "123 456 789")]),
        ("référence 12345678", [("identifier", "12345678")]),
        ("budget de 1 500 000 $", []),
        ("née le 12 mars 1948", [("date", "12 mars 1948")]),
        ("née le 12 mars", [("date", "12 mars")]),
        ("vue le 12 mars", []),
        ("admise le 3/2/2023", [("date", "3/2/2023")]),
        ("DOB 1950-06-21", [("date", "1950-06-21")]),
        ("on March 3, 2023", [("date", "March 3, 2023")]),
        ("en mars 2023", []),
        ("le colloque du 3 mai 2024", []),
        ("il ne le 12 mars", []),  # « ne » is not « né »
        ("âgée de 94 ans", [("age", "âgée de 94 ans")]),
        ("89 ans", []),
        ("a 90-year-old man", [("age", "90-year-old")]),
        ("depuis 150 ans", []),
        ("1234, rue Saint-Denis, app. 5", [("address", "1234, rue Saint-Denis, app. 5")]),
        ("45 Maple Street East", [("address", "45 Maple Street East")]),
        ("3 rues plus loin", []),
        ("Mme Tremblay", [("name", "Mme Tremblay")]),
        ("M. Roy", [("name", "M. Roy")]),
        ("madame Côté", [("name", "madame Côté")]),
        ("Dr. House", [("name", "Dr. House")]),
        ("Mme T. et M. X", []),
        ("le Dr de garde", []),
        ("selon le Dr Kinoo (2019)", []),
        ("Dr Kinoo et al. ont montré", []),
        ("Marie Côté", [("name", "Marie Côté")]),
        ("Jean-François", [("name", "Jean-François")]),
        ("avec Nathalie", [("name", "Nathalie")]),
        ("une idée claire, la Rose des vents", []),
        ("Rose Gagnon", [("name", "Rose Gagnon")]),
        ("Hôpital Pierre-Boucher", []),
        ("boulevard Saint-Laurent", []),
        ("chez Tremblay", [("name", "Tremblay")]),
        ("Xochitl Tremblay", [("name", "Xochitl Tremblay")]),
        ("le Parent de l'usager", []),
        ("Mme Parent", [("name", "Mme Parent")]),
        ("TREMBLAY Jean", [("name", "TREMBLAY Jean")]),
    ],
)
def test_rules(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds_and_texts(text) == expected


@pytest.mark.parametrize(
    ("text", "known", "expected"),
    [
        ("Voir avec Zénobie Ouimette", ("Zénobie Ouimette",), [("name", "Zénobie Ouimette")]),
        ("voir avec zenobie ouimette", ("Zénobie Ouimette",), [("name", "zenobie ouimette")]),
        ("Ouimette en parlera", ("Zénobie Ouimette",), [("name", "Ouimette")]),
        ("Ouimette en parlera", (), []),
    ],
)
def test_known_names(text: str, known: tuple[str, ...], expected: list[tuple[str, str]]) -> None:
    assert kinds_and_texts(text, known) == expected


def test_findings_are_sorted_non_overlapping_and_point_into_the_text() -> None:
    text = (
        "Mme Tremblay (trem 5203 1512), née le 12 mars 1948, 1234 rue Principale, "
        "514 555-0123, t@ex.com, dossier 4432198, J4K 2T5, 95 ans."
    )
    findings = find_identifiers(text)
    assert [f.kind for f in findings] == [
        "name",
        "nam",
        "date",
        "address",
        "phone",
        "email",
        "file_number",
        "postal_code",
        "age",
    ]
    for before, after in zip(findings, findings[1:], strict=False):
        assert before.end <= after.start
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
        assert finding.replacement == REPLACEMENTS[finding.kind]
        assert finding.kind in KINDS


def test_redact_replaces_every_finding() -> None:
    text = "Mme Tremblay, NAM TREM 5203 1512, née le 12 mars 1948."
    findings = find_identifiers(text)
    assert redact(text, findings) == "[NOM], NAM [NAM], née le [DATE]."
    assert redact(text, findings, {"name": "[NAME]"}) == "[NAME], NAM [NAM], née le [DATE]."
    assert find_identifiers(redact(text, findings)) == []  # tokens are not identifiers


def test_redact_ignores_overlaps_and_out_of_range_findings() -> None:
    text = "abc def"
    findings = [
        Finding("name", 0, 3, "abc", "[NOM]"),
        Finding("date", 2, 5, "c d", "[DATE]"),  # overlaps: the date wins (more specific)
        Finding("email", 5, 40, "", "[COURRIEL]"),  # beyond the text: ignored
    ]
    assert redact(text, findings) == "ab[DATE]ef"
    assert redact("", []) == ""
    assert find_identifiers("") == []


# ---- the labelled corpus ---------------------------------------------------------------------


def _load_corpus() -> list[dict[str, Any]]:
    corpus: list[dict[str, Any]] = json.loads(CORPUS_PATH.read_text("utf-8"))
    return corpus


def _spans(entry: dict[str, Any]) -> list[tuple[str, int, int]]:
    """Labelled identifiers as (kind, start, end), found left to right in the text."""
    spans: list[tuple[str, int, int]] = []
    cursor: dict[str, int] = {}
    for label in entry["identifiers"]:
        start = entry["text"].find(label["text"], cursor.get(label["text"], 0))
        assert start >= 0, f"{entry['id']}: {label['text']!r} is not in the text"
        cursor[label["text"]] = start + 1
        spans.append((label["kind"], start, start + len(label["text"])))
    return spans


def _caught(text: str, span: tuple[str, int, int], findings: list[Finding]) -> bool:
    _, start, end = span
    return all(
        any(f.start <= i < f.end for f in findings) for i in range(start, end) if text[i].isalnum()
    )


def test_corpus_is_large_varied_and_well_formed() -> None:
    corpus = _load_corpus()
    assert len(corpus) >= 60
    assert {entry["lang"] for entry in corpus} == {"fr", "en"}
    assert len({entry["id"] for entry in corpus}) == len(corpus)
    with_ids = [e for e in corpus if e["identifiers"]]
    assert 0.3 * len(corpus) <= len(with_ids) <= 0.7 * len(corpus)
    labelled_kinds = {label["kind"] for e in corpus for label in e["identifiers"]}
    assert labelled_kinds == set(KINDS)
    for entry in corpus:
        _spans(entry)


def test_corpus_precision_and_recall(
    request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    known = ("Marc-André Tremblay", "Isabelle Gagnon", "Sophie Bergeron")
    labelled = caught = found = correct = 0
    misses: list[str] = []
    false_alarms: list[str] = []
    by_kind: Counter[str] = Counter()
    caught_by_kind: Counter[str] = Counter()
    clean_texts = clean_accepted = 0
    for entry in _load_corpus():
        text = entry["text"]
        spans = _spans(entry)
        findings = find_identifiers(text, known)
        for span in spans:
            labelled += 1
            by_kind[span[0]] += 1
            if _caught(text, span, findings):
                caught += 1
                caught_by_kind[span[0]] += 1
            else:
                misses.append(f"{entry['id']}: {text[span[1] : span[2]]!r} ({span[0]})")
        for finding in findings:
            found += 1
            if any(finding.start < end and start < finding.end for _, start, end in spans):
                correct += 1
            else:
                false_alarms.append(f"{entry['id']}: {finding.text!r} ({finding.kind})")
        if not spans:
            clean_texts += 1
            clean_accepted += not findings
    recall = caught / labelled
    precision = correct / found
    per_kind = ", ".join(f"{k} {caught_by_kind[k]}/{by_kind[k]}" for k in sorted(by_kind))
    summary = (
        f"de-identification corpus: recall {recall:.3f} ({caught}/{labelled}), "
        f"precision {precision:.3f} ({correct}/{found}); clean texts accepted "
        f"{clean_accepted}/{clean_texts}; caught by kind: {per_kind}"
    )
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        with capsys.disabled():
            reporter.write_line("")
            reporter.write_line(summary)
            for line in misses:
                reporter.write_line(f"  missed {line}")
            for line in false_alarms:
                reporter.write_line(f"  false alarm {line}")
    request.node.user_properties.append(("deidentify_recall", round(recall, 4)))
    request.node.user_properties.append(("deidentify_precision", round(precision, 4)))
    assert recall >= MIN_RECALL, f"{summary}\nmissed: {misses}"
    assert precision >= MIN_PRECISION, f"{summary}\nfalse alarms: {false_alarms}"


def test_guard_is_fast_enough_for_a_long_case() -> None:
    """A 4,000-character case is checked well inside a Teams turn (a loose bound, not a
    benchmark: it only catches a pathological regex)."""
    import time

    text = ("Usagère de 67 ans suivie au CLSC, rencontrée avec sa fille Nathalie. " * 60)[:4000]
    started = time.perf_counter()
    find_identifiers(text, ("Marc-André Tremblay",))
    assert time.perf_counter() - started < 1.0
