"""Cards of a poll for one person (or for everyone), drawn from what is stored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cards.i18n import Translator
from cards.polls import (
    MAX_TEXTS_SHOWN,
    TEXT_SHOWN_LENGTH,
    DraftView,
    PollView,
    build_draft_card,
    build_poll_card,
)
from cards.render import RenderError
from dialogs.polls import rules
from dialogs.polls.audience import committee_ids, committee_name, poll_repository, threshold
from dialogs.turn import Services
from storage.poll_repository import AnswerValue, Poll, parse_iso


@dataclass(frozen=True)
class Viewer:
    member_key: str
    teams_user_id: str
    # An animateur, or the member who created this poll: sees the results and manages it.
    is_manager: bool
    # Seen in the poll's own conversation (a channel poll takes answers from its channel).
    in_conversation: bool = False


def audience_label(services: Services, poll: Poll, t: Translator) -> str:
    if poll.audience == "committee":
        name = committee_name(services, poll.committee_id, t.locale)
        return t("polls.audience.committee_line", committee=name)
    return t(f"polls.audience.{poll.audience}_line")


async def results_of(services: Services, poll: Poll) -> rules.Results:
    repo = poll_repository(services)
    if poll.anonymous:
        answers: list[tuple[str, Mapping[str, AnswerValue]]] = [
            ("", a) for a in await repo.answers(poll.id)
        ]
    else:
        answers = [(b.name, b.answers) for b in await repo.ballots(poll.id)]
    return rules.tally(poll, answers, len(poll.audience_keys), threshold(services))


def _rankings(poll: Poll, results: rules.Results | None) -> tuple[dict[str, Any], dict[str, Any]]:
    if results is None or poll.kind != "availability":
        return {}, {}
    rankings: dict[str, list[str]] = {}
    best: dict[str, list[str]] = {}
    for result in results.questions:
        if result.question.kind in ("single", "multiple"):
            ordered = rules.ranked(result)
            exclusive = [c for c in result.counts if c.choice.exclusive]
            rankings[result.question.id] = [c.choice.id for c in [*ordered, *exclusive]]
            best[result.question.id] = [c.choice.label for c in rules.best_choices(result)]
    return rankings, best


async def poll_card(
    services: Services,
    poll: Poll,
    t: Translator,
    viewer: Viewer | None = None,
    *,
    notice: str = "",
    notice_style: str = "default",
    problems: Sequence[rules.Problem] = (),
    form_values: Mapping[str, Any] | None = None,
    shown_answer: Mapping[str, AnswerValue] | None = None,
    show_form: bool | None = None,
    download_url: str = "",
    refresh_ids: Sequence[str] = (),
) -> dict[str, Any]:
    """The poll as ``viewer`` sees it; with no viewer, the card everyone sees (the message in
    the channel). ``shown_answer`` is an anonymous answer just given: shown once, not stored
    with the person."""
    repo = poll_repository(services)
    now = services.clock()
    is_open = rules.is_open(poll, now)
    answered = False
    my_answer: Mapping[str, AnswerValue] | None = shown_answer
    if viewer is not None:
        answered = viewer.member_key in await repo.respondents(poll.id)
        if not poll.anonymous and my_answer is None:
            ballot = await repo.ballot(poll.id, viewer.member_key)
            my_answer = ballot.answers if ballot else None
    may_answer = viewer is None or rules.in_audience(
        poll, viewer.member_key, viewer.in_conversation
    )
    if show_form is None:
        show_form = is_open and may_answer and not answered
    is_manager = viewer.is_manager if viewer else False
    results = None
    if rules.results_visible(poll, is_manager=is_manager, answered=answered, now=now):
        results = await results_of(services, poll)
    rankings, best = _rankings(poll, results)
    if form_values is None:
        form_values = dict(my_answer or {})
    view = PollView(
        poll_id=poll.id,
        title=poll.title,
        anonymous=poll.anonymous,
        is_open=is_open,
        deadline=poll.deadline_at,
        closed_at=parse_iso(poll.closed_at),
        audience_label=audience_label(services, poll, t),
        questions=poll.questions,
        threshold=threshold(services),
        tz=services.timezone,
        show_form=show_form,
        form_values=form_values,
        my_answer=my_answer,
        answer_kept=not (poll.anonymous and shown_answer is not None),
        answered=answered,
        can_change=not poll.anonymous and answered and may_answer,
        results=results,
        rankings=rankings,
        best=best,
        is_manager=is_manager,
        notice=notice,
        notice_style=notice_style,
        problems=problems,
        refresh_user_ids=[viewer.teams_user_id] if viewer and viewer.teams_user_id else refresh_ids,
        download_url=download_url,
    )
    return build_poll_card(view, t)


def draft_card(
    services: Services,
    draft: Poll,
    t: Translator,
    *,
    shared: bool,
    problems: Sequence[rules.Problem] = (),
    notice: str = "",
) -> dict[str, Any]:
    tz = services.timezone
    deadline = parse_iso(draft.deadline)
    local = deadline.astimezone(tz) if deadline else None
    options: list[tuple[str, str]] = []
    if shared:
        options.append(("channel", t("polls.audience.channel")))
    for cid in committee_ids(services):
        name = committee_name(services, cid, t.locale)
        options.append((f"committee:{cid}", t("polls.audience.committee", committee=name)))
    options.append(("members", t("polls.audience.members")))
    value = draft.audience if draft.audience != "committee" else f"committee:{draft.committee_id}"
    if value not in [v for v, _ in options]:
        value = options[0][0]
    heading = t(f"polls.draft.heading.{draft.kind}")
    view = DraftView(
        draft_id=draft.id,
        heading=heading,
        title=draft.title,
        anonymous=draft.anonymous,
        visibility=draft.visibility,
        audience_value=value,
        audience_options=options,
        deadline_date=local.date().isoformat() if local else "",
        deadline_time=local.strftime("%H:%M") if local else "",
        questions=draft.questions,
        threshold=threshold(services),
        problems=problems,
        notice=notice,
    )
    return build_draft_card(view, t)


def fits_in_a_card(services: Services, poll: Poll, t: Translator) -> bool:
    """Whether the poll's fullest card (an animateur's: the form, every choice counted, the
    free texts shown, 60 people to refresh) stays under Teams' size limit."""
    answer: dict[str, AnswerValue] = {}
    for q in poll.questions:
        if q.kind == "multiple":
            answer[q.id] = [c.id for c in q.choices]
        elif q.kind == "single" and q.choices:
            answer[q.id] = q.choices[0].id
        elif q.kind == "scale":
            answer[q.id] = 3
        else:
            answer[q.id] = "x" * TEXT_SHOWN_LENGTH
    answers = [("x" * 40, answer)] * (MAX_TEXTS_SHOWN + 1)
    results = rules.tally(poll, answers, 60, threshold(services))
    view = PollView(
        poll_id=poll.id,
        title=poll.title,
        anonymous=poll.anonymous,
        is_open=True,
        deadline=poll.deadline_at,
        closed_at=None,
        audience_label=audience_label(services, poll, t),
        questions=poll.questions,
        threshold=threshold(services),
        tz=services.timezone,
        show_form=True,
        results=results,
        is_manager=True,
        notice="x" * 200,
        refresh_user_ids=["x" * 40] * 60,
        download_url="x" * 120,
    )
    try:
        build_poll_card(view, t)
    except RenderError:
        return False
    return True
