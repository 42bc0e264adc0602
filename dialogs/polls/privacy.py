"""What polls keep about a member (« mes données ») and its erasure.

Kept: named answers (with the name shown at the time), the list of anonymous polls the member
answered (only to refuse a second answer and to remind those who did not answer) and the polls
they created. Anonymous answers are stored with no link to anyone, so they can be neither shown
to a member as theirs nor erased as theirs: they stay, anonymous, in the results.
"""

from __future__ import annotations

from typing import Any

from cards.i18n import translator
from cards.polls import answer_text
from dialogs.polls.audience import poll_repository
from dialogs.turn import Services


async def member_data(services: Services, member_key: str) -> dict[str, Any]:
    repo = poll_repository(services)
    polls = {p.id: p for p in await repo.all()}
    t = translator(services.profile.current.default_locale)
    named = []
    for ballot in await repo.ballots_of(member_key):
        poll = polls.get(ballot.poll_id)
        if poll is None:
            continue
        answers = [
            {"poll_question": q.label, "poll_answer": answer_text(q, ballot.answers[q.id], t)}
            for q in poll.questions
            if q.id in ballot.answers
        ]
        named.append(
            {"poll_title": poll.title, "poll_answered_at": ballot.at, "poll_answers": answers}
        )
    anonymous = [
        {"poll_title": polls[pid].title}
        for pid in await repo.participations_of(member_key)
        if pid in polls
    ]
    created = [
        {"poll_title": p.title, "poll_status": t(f"polls.status.{p.status}")}
        for p in polls.values()
        if p.created_by == member_key
    ]
    found: dict[str, Any] = {}
    if named:
        found["polls_answers"] = named
    if anonymous:
        found["polls_anonymous_answered"] = anonymous
        found["polls_anonymity"] = t("polls.mydata.note")
    if created:
        found["polls_created"] = created
    return found


async def forget_member(services: Services, member_key: str) -> None:
    await poll_repository(services).forget(member_key)
