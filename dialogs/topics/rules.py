"""The rules of the topic bank and the case queue, as plain functions (no I/O, no clock, no
wording): drafts from card data, screening with the de-identification guard, similar topics,
ranking, the life of a topic or a case, who may see and do what.

A topic's life: ``open`` (in the bank) → ``scheduled`` (on a planned meeting's agenda) →
``treated``; or ``archived``; or ``merged`` into another topic. A scheduled topic that was not
marked treated returns to the bank once its meeting is over (or cancelled). Withdrawing one's own
topic deletes it.

A case's life: ``submitted`` (visible to the animateurs and the submitter only) → ``scheduled``
(on a meeting's agenda: visible to every member) → ``treated``; or ``archived``. Withdrawing
deletes it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from dialogs.deidentify import Finding, find_identifiers, redact
from storage.case_repository import Case
from storage.topic_repository import Topic

KINDS = ("formatif", "echange", "reflexif", "divers")
# Where each kind goes on a meeting's agenda (Annexe C order: tour de table, affaires diverses,
# supervision of complex cases, atelier-conférence).
AGENDA_ORDER = {"echange": 0, "divers": 1, "reflexif": 2, "formatif": 3}

OPEN, SCHEDULED, TREATED, ARCHIVED, MERGED = "open", "scheduled", "treated", "archived", "merged"
ACTIVE = (OPEN, SCHEDULED)
STATUS_FILTERS = ("active", OPEN, SCHEDULED, TREATED, ARCHIVED)
SUBMITTED = "submitted"
CASE_STATUSES = (SUBMITTED, SCHEDULED, TREATED, ARCHIVED)
PUBLIC_CASE_STATUSES = (SCHEDULED, TREATED)
WISHES = ("advice", "supervision", "resources")

TITLE_MIN, TITLE_MAX = 3, 120
DESCRIPTION_MAX = 1500
PRESENTER_MAX = 120
CASE_TEXT_MIN = 10
CASE_TEXT_MAX = 3000
QUESTION_MAX = 1000
SIMILARITY_THRESHOLD = 0.6


class BadCardData(ValueError):
    """Card data of the wrong shape (tampered or from an outdated card)."""


# ---- drafts from card data -------------------------------------------------------------------


@dataclass(frozen=True)
class TopicDraft:
    title: str
    description: str
    kind: str
    presenter: str

    def texts(self) -> dict[str, str]:
        return {"title": self.title, "description": self.description, "presenter": self.presenter}


@dataclass(frozen=True)
class CaseDraft:
    title: str
    context: str
    tried: str
    blocks: str
    question: str
    wishes: tuple[str, ...]
    desired_meeting_id: str

    def texts(self) -> dict[str, str]:
        return {
            "title": self.title,
            "context": self.context,
            "tried": self.tried,
            "blocks": self.blocks,
            "question": self.question,
        }


def text_field(data: Mapping[str, Any], name: str) -> str:
    """A text input's value: missing → ""; anything but a string is tampered data."""
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadCardData(name)
    return " ".join(value.split()) if name in ("title", "presenter") else value.strip()


def id_field(data: Mapping[str, Any], name: str, *, required: bool = True) -> str:
    value = data.get(name, "")
    if not isinstance(value, str) or (required and not value) or len(value) > 64:
        raise BadCardData(name)
    if value and not re.fullmatch(r"[A-Za-z0-9_:.@-]+", value):
        raise BadCardData(name)
    return value


def flag_field(data: Mapping[str, Any], name: str) -> bool:
    value = data.get(name, False)
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise BadCardData(name)


def id_list_field(data: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = data.get(name) or []
    if not isinstance(value, list) or len(value) > 50:
        raise BadCardData(name)
    return tuple(id_field({"v": v}, "v") for v in value)


def topic_draft(data: Mapping[str, Any]) -> tuple[TopicDraft, str | None]:
    """The draft and the first problem found (a code), or None when it can be saved."""
    draft = TopicDraft(
        title=text_field(data, "title"),
        description=text_field(data, "description"),
        kind=text_field(data, "kind") or "",
        presenter=text_field(data, "presenter"),
    )
    if draft.kind and draft.kind not in KINDS:
        raise BadCardData("kind")
    if not TITLE_MIN <= len(draft.title) <= TITLE_MAX:
        return draft, "title_length"
    if not draft.kind:
        return draft, "kind_missing"
    if len(draft.description) > DESCRIPTION_MAX:
        return draft, "description_length"
    if len(draft.presenter) > PRESENTER_MAX:
        return draft, "presenter_length"
    return draft, None


def case_draft(data: Mapping[str, Any]) -> tuple[CaseDraft, str | None]:
    chosen = {w.strip() for w in text_field(data, "wishes").split(",") if w.strip()}
    if chosen - set(WISHES):
        raise BadCardData("wishes")
    wishes = tuple(w for w in WISHES if w in chosen)
    draft = CaseDraft(
        title=text_field(data, "title"),
        context=text_field(data, "context"),
        tried=text_field(data, "tried"),
        blocks=text_field(data, "blocks"),
        question=text_field(data, "question"),
        wishes=wishes,
        desired_meeting_id=id_field(data, "meeting", required=False),
    )
    if not TITLE_MIN <= len(draft.title) <= TITLE_MAX:
        return draft, "title_length"
    if not CASE_TEXT_MIN <= len(draft.context) <= CASE_TEXT_MAX:
        return draft, "context_length"
    if len(draft.tried) > CASE_TEXT_MAX or len(draft.blocks) > CASE_TEXT_MAX:
        return draft, "text_too_long"
    if not CASE_TEXT_MIN <= len(draft.question) <= QUESTION_MAX:
        return draft, "question_length"
    if not draft.wishes:
        return draft, "wishes_missing"
    return draft, None


# ---- the de-identification guard on a form ---------------------------------------------------


@dataclass(frozen=True)
class FieldFindings:
    field: str
    findings: tuple[Finding, ...]


def screen(
    texts: Mapping[str, str],
    known_names: Iterable[str],
    names_allowed: Iterable[str] = (),
) -> list[FieldFindings]:
    """Findings per field, in field order; empty when every text may be kept. Names are allowed
    in ``names_allowed`` fields (a proposed presenter is a colleague's name by design)."""
    known = tuple(known_names)
    allowed = set(names_allowed)
    screened: list[FieldFindings] = []
    for name, text in texts.items():
        findings = tuple(
            f for f in find_identifiers(text, known) if not (name in allowed and f.kind == "name")
        )
        if findings:
            screened.append(FieldFindings(name, findings))
    return screened


def redacted(
    texts: Mapping[str, str],
    screened: Sequence[FieldFindings],
    replacements: Mapping[str, str] | None = None,
) -> dict[str, str]:
    by_field = {s.field: s.findings for s in screened}
    return {
        name: redact(text, by_field.get(name, ()), replacements) for name, text in texts.items()
    }


# ---- similar topics --------------------------------------------------------------------------


def _words_of(text: str) -> list[str]:
    """A word list written as text (long lists read better this way)."""
    return text.split()


_STOPWORDS = frozenset(
    _words_of("""
    le la les l un une des de du d et ou en au aux a à dans sur pour par avec chez sans sous
    ce ces cet cette son sa ses leur leurs notre nos votre vos mon ma mes qui que quoi dont est
    sont être comment quand quel quelle quels quelles entre vers plus moins très
    the a an of and or in on for to with at by from about how what when is are be our your
    their its into""")
)


@functools.lru_cache(maxsize=16384)  # the bank sorts every title on each listing
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _stem(token: str) -> str:
    """A light plural/feminine folding: « enfants » → « enfant », « soins » → « soin »."""
    for suffix in ("aux", "s", "x"):
        if len(token) > 4 and token.endswith(suffix):
            return token[: -len(suffix)] + ("al" if suffix == "aux" else "")
    return token


def tokens(text: str) -> list[str]:
    """Significant words of a title: folded (case, accents), stop words out, lightly stemmed."""
    words = re.findall(r"[a-z0-9]+", _fold(text))
    return [_stem(w) for w in words if w not in _STOPWORDS and len(w) > 1]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edit distance counting a swap of two neighbouring letters as one edit (« dueil » /
    « deuil »), or ``limit + 1`` as soon as it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1] if previous[-1] <= limit else limit + 1


def _tolerance(word: str) -> int:
    return 0 if len(word) <= 3 else 1 if len(word) <= 7 else 2


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    limit = min(_tolerance(a), _tolerance(b))
    return limit > 0 and edit_distance(a, b, limit) <= limit


def similarity(first: str, second: str) -> float:
    """Token-set Jaccard of two titles where words within a small edit distance count as the
    same; a short title whose words all appear in the other (two words or more) counts as 1."""
    a, b = list(dict.fromkeys(tokens(first))), list(dict.fromkeys(tokens(second)))
    if not a or not b:
        return 0.0
    unmatched = list(b)
    matched = 0
    for word in a:
        for candidate in unmatched:
            if _same_word(word, candidate):
                unmatched.remove(candidate)
                matched += 1
                break
    smaller = min(len(a), len(b))
    if smaller >= 2 and matched == smaller:
        return 1.0
    return matched / (len(a) + len(b) - matched)


def similar_topics(
    title: str,
    topics: Iterable[Topic],
    *,
    exclude: Iterable[str] = (),
    threshold: float = SIMILARITY_THRESHOLD,
    limit: int = 3,
) -> list[Topic]:
    """Active topics whose title resembles ``title``, most similar first."""
    skip = set(exclude)
    scored = [
        (similarity(title, topic.title), topic)
        for topic in topics
        if topic.status in ACTIVE and topic.id not in skip
    ]
    scored = [(score, topic) for score, topic in scored if score >= threshold]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].support_count, pair[1].created_at))
    return [topic for _, topic in scored[:limit]]


# ---- the bank --------------------------------------------------------------------------------


def ranked(topics: Iterable[Topic]) -> list[Topic]:
    """Most supported first; among equals the oldest proposal first."""
    return sorted(topics, key=lambda t: (-t.support_count, t.created_at, _fold(t.title)))


def filtered(topics: Iterable[Topic], kind: str, status: str) -> list[Topic]:
    """``kind`` "" or one of KINDS; ``status`` one of STATUS_FILTERS. Merged topics never show."""
    wanted = ACTIVE if status == "active" else (status,)
    return [t for t in topics if t.status in wanted and (not kind or t.kind == kind)]


def page_of(items: Sequence[Any], page: int, size: int) -> tuple[list[Any], int, int]:
    """(the items of ``page`` clamped to the existing pages, that page, the page count)."""
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 0), pages - 1)
    return list(items[page * size : (page + 1) * size]), page, pages


# ---- a topic's life --------------------------------------------------------------------------


def new_topic(
    draft: TopicDraft, topic_id: str, proposer_key: str, proposer_name: str, at: str
) -> Topic:
    return Topic(
        id=topic_id,
        title=draft.title,
        description=draft.description,
        kind=draft.kind,
        presenter=draft.presenter,
        proposer_key=proposer_key,
        proposer_name=proposer_name,
        created_at=at,
        updated_at=at,
    )


def edited(topic: Topic, draft: TopicDraft, at: str) -> Topic:
    return replace(
        topic,
        title=draft.title,
        description=draft.description,
        kind=draft.kind,
        presenter=draft.presenter,
        updated_at=at,
    )


def can_support(topic: Topic) -> bool:
    return topic.status in ACTIVE


def with_support(topic: Topic, member_key: str, supported: bool) -> Topic:
    """The topic with the member's support set to ``supported`` (idempotent: setting it twice
    changes nothing, so a double click or a redelivered click never counts twice)."""
    if supported == topic.supported_by(member_key):
        return topic
    if supported:
        return replace(topic, supporters=(*topic.supporters, member_key))
    return replace(topic, supporters=tuple(k for k in topic.supporters if k != member_key))


def scheduled(topic: Topic, meeting_id: str, at: str) -> Topic | None:
    if topic.status not in ACTIVE:
        return None
    return replace(topic, status=SCHEDULED, meeting_id=meeting_id, updated_at=at)


def back_to_bank(topic: Topic, at: str) -> Topic | None:
    if topic.status != SCHEDULED:
        return None
    return replace(topic, status=OPEN, meeting_id="", updated_at=at)


def treated(topic: Topic, at: str) -> Topic | None:
    if topic.status not in ACTIVE:
        return None
    return replace(topic, status=TREATED, updated_at=at)


def archived(topic: Topic, at: str) -> Topic | None:
    if topic.status not in (*ACTIVE, TREATED):
        return None
    return replace(topic, status=ARCHIVED, meeting_id="", updated_at=at)


def reopened(topic: Topic, at: str) -> Topic | None:
    if topic.status not in (TREATED, ARCHIVED):
        return None
    return replace(topic, status=OPEN, meeting_id="", updated_at=at)


def merged(source: Topic, target: Topic, at: str) -> tuple[Topic, Topic] | None:
    """Merge ``source`` into ``target``: the target gains the source's supporters (its own
    proposer included: a proposer may support their topic) and the source's proposer unless
    that is the target's proposer, each member counted once; the source is marked merged.
    None if not allowed."""
    if source.id == target.id or source.status not in ACTIVE or target.status not in ACTIVE:
        return None
    supporters = list(target.supporters)
    for key in source.supporters:
        if key and key not in supporters:
            supporters.append(key)
    proposer = source.proposer_key
    if proposer and proposer not in supporters and proposer != target.proposer_key:
        supporters.append(proposer)
    new_target = replace(target, supporters=tuple(supporters), updated_at=at)
    new_source = replace(
        source, status=MERGED, merged_into=target.id, supporters=(), meeting_id="", updated_at=at
    )
    return new_source, new_target


def can_edit(topic: Topic, member_key: str, is_animateur: bool) -> bool:
    if topic.status not in ACTIVE:
        return is_animateur and topic.status == TREATED
    return is_animateur or topic.proposer_key == member_key


def can_withdraw(topic: Topic, member_key: str) -> bool:
    return topic.proposer_key == member_key and topic.status == OPEN


# ---- meetings --------------------------------------------------------------------------------


class MeetingLike(Protocol):
    """What the topic bank reads of a meeting (dialogs/meetings/queries.py's MeetingRef)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...
    @property
    def status(self) -> str: ...


def meeting_over(meeting: MeetingLike | None, now: datetime) -> bool:
    """A scheduled item goes back to the bank (or the queue) when its meeting has ended, was
    cancelled or no longer exists."""
    if meeting is None:
        return True
    return meeting.status in ("cancelled", "done") or meeting.ends_at <= now


def schedulable(meeting: MeetingLike | None, now: datetime) -> bool:
    return meeting is not None and meeting.status == "planned" and meeting.ends_at > now


# ---- cases -----------------------------------------------------------------------------------


def new_case(
    draft: CaseDraft, case_id: str, submitter_key: str, submitter_name: str, at: str
) -> Case:
    return Case(
        id=case_id,
        title=draft.title,
        context=draft.context,
        tried=draft.tried,
        blocks=draft.blocks,
        question=draft.question,
        wishes=draft.wishes,
        desired_meeting_id=draft.desired_meeting_id,
        submitter_key=submitter_key,
        submitter_name=submitter_name,
        created_at=at,
        updated_at=at,
    )


def can_see_case(case: Case, member_key: str, is_animateur: bool) -> bool:
    return is_animateur or case.submitter_key == member_key or case.status in PUBLIC_CASE_STATUSES


def can_withdraw_case(case: Case, member_key: str) -> bool:
    return case.submitter_key == member_key and case.status in (SUBMITTED, SCHEDULED)


def case_scheduled(case: Case, meeting_id: str, at: str) -> Case | None:
    if case.status not in (SUBMITTED, SCHEDULED):
        return None
    return replace(case, status=SCHEDULED, meeting_id=meeting_id, updated_at=at)


def case_back_to_queue(case: Case, at: str) -> Case | None:
    if case.status != SCHEDULED:
        return None
    return replace(case, status=SUBMITTED, meeting_id="", updated_at=at)


def case_treated(case: Case, at: str) -> Case | None:
    if case.status not in (SUBMITTED, SCHEDULED):
        return None
    return replace(case, status=TREATED, updated_at=at)


def case_archived(case: Case, at: str) -> Case | None:
    if case.status == ARCHIVED:
        return None
    return replace(case, status=ARCHIVED, meeting_id="", updated_at=at)


def queue_order(cases: Iterable[Case]) -> list[Case]:
    """Submitted cases first (oldest first: they have waited longest), then the others."""
    order = {status: i for i, status in enumerate(CASE_STATUSES)}
    return sorted(cases, key=lambda c: (order.get(c.status, 9), c.created_at))
