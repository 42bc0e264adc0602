"""What the notes keep about a member (« mes données ») and its erasure.

Follow-ups name the member who took them; a takeaway is kept without anyone's key or name,
so only the participation mark (« has answered for that meeting ») is the member's."""

from __future__ import annotations

from typing import Any

from dialogs.notes import meetings
from dialogs.notes.repositories import notes_repository
from dialogs.turn import Services


async def _meeting_label(services: Services, meeting_id: str) -> str:
    meeting = await meetings.get(services, meeting_id)
    if meeting is None:
        return meeting_id
    day = meeting.starts_at.astimezone(services.timezone).date().isoformat()
    return f"{meeting.title} ({day})"


async def member_data(services: Services, member_key: str) -> dict[str, Any]:
    repository = notes_repository(services)
    follow_ups = []
    for notes in await repository.all():
        for f in notes.follow_ups:
            if f.member_key == member_key:
                follow_ups.append(
                    {
                        "notes_meeting": await _meeting_label(services, notes.id),
                        "notes_follow_up": f.text,
                        "notes_due_on": f.due_on,
                        "notes_done": "yes" if f.done else "no",
                    }
                )
    answered = [
        await _meeting_label(services, meeting_id)
        for meeting_id in await repository.participations_of(member_key)
    ]
    sections: dict[str, Any] = {}
    if follow_ups:
        sections["notes_follow_ups"] = follow_ups
    if answered:
        # The note first, then the meetings: one « Note » line, one « Rencontres » line (a list
        # mixing the note with the meetings showed it as item [1] and the meetings from [2]).
        sections["notes_takeaways"] = {"notes_note": "anonymous", "notes_meetings": answered}
    return sections


async def forget_member(services: Services, member_key: str) -> None:
    """Follow-ups the member took stay in the meeting's notes, assigned to nobody; their
    participation marks are removed. Their anonymous takeaways are linked to no one: they stay."""
    await notes_repository(services).forget_member(member_key)
