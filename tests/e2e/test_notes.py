"""« Ce qu'on retient », end to end through the Agents Playground.

The bot runs as ``tests/e2e/notes_bot.py``: a meeting ended yesterday, Sophie came in the room,
Nathalie online, Jean-François was absent; the bot's clock is at 11 h today. Isabelle (animateur)
types « rencontre notes »: her first notes name a patient and are refused; she removes it and
saves, with a follow-up for Sophie. Sophie and Nathalie (not Jean-François) get « Ce que je
retiens » in their 1:1 chat; both answer, Sophie twice (counted once). « rencontres passées »
lists the meeting with its notes and two takeaways; « rencontre notes 1 » shows them. Every
reply is compared with the catalogs, never with pasted text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from cards.i18n import Translator
from cards.notes import NotesVerb
from dialogs.notes.rules import member_token
from tests.e2e.client import PlaygroundClient, card_strings, find_action
from tests.e2e.notes_bot import TITLE
from tests.e2e.playground import (
    ISABELLE,
    JEAN_FRANCOIS,
    NATHALIE,
    SOPHIE,
    BotProcess,
    PlaygroundProcess,
)
from tests.e2e.standin import running_bot, running_playground, teams_session
from tests.e2e.test_topics import card_of, inputs, showing, shows

FR = Translator("fr-CA")
EN = Translator("en")
IDENTIFYING = "Le suivi de Mme Tremblay, NAM TREM 5203 1512"
KEY_POINT = "Nommer la détresse dès le premier contact"
SOPHIE_TAKEAWAY = "Demander aux proches ce qui les aide, avant de proposer"
NATHALIE_TAKEAWAY = "Le répit des proches aidants se planifie tôt"


@pytest.fixture(scope="module")
def notes_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    with running_bot(tmp_path_factory, "notes") as bot:
        yield bot


@pytest.fixture(scope="module")
def notes_playground(
    notes_bot: BotProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PlaygroundProcess]:
    with running_playground(notes_bot, tmp_path_factory, "notes") as process:
        yield process


@pytest.fixture
async def teams(
    notes_playground: PlaygroundProcess, notes_bot: BotProcess, request: pytest.FixtureRequest
) -> AsyncIterator[PlaygroundClient]:
    async with teams_session(notes_playground, notes_bot, request, "notes") as session:
        yield session


async def test_a_past_meeting_gets_its_notes_and_takeaways_listed_in_the_archive(
    teams: PlaygroundClient, notes_bot: BotProcess
) -> None:
    # The members have talked to the bot before (so it can write to them 1:1).
    for person in (SOPHIE, NATHALIE, JEAN_FRANCOIS):
        await teams.send_text(FR("command.help.word"), user=person)
        await teams.expect_message(showing("help.title"), user=person)

    await teams.send_text(FR("command.meeting.notes.word"), user=ISABELLE)
    form = await teams.expect_message(showing("notes.form.title"), user=ISABELLE)
    assert TITLE in " ".join(card_strings(form.card))
    save = find_action(form.card, verb=NotesVerb.save)
    values = {
        **inputs(form.card or {}),
        "key_points": IDENTIFYING,
        "fu_text_0": "Envoyer le guide du deuil au comité",
        "fu_who_0": member_token(SOPHIE.aad_object_id.casefold()),
    }
    refused = card_of(
        await teams.click_execute(form, NotesVerb.save, save["data"], user=ISABELLE, inputs=values)
    )
    assert shows(refused, "notes.finding.intro")
    saved = card_of(
        await teams.click_execute(
            form,
            NotesVerb.save,
            save["data"],
            user=ISABELLE,
            inputs={**values, "key_points": KEY_POINT},
        )
    )
    assert shows(saved, "notes.notice.saved")
    assert KEY_POINT in " ".join(card_strings(saved))

    # Saving re-plans the jobs: the takeaway question (due since 10 h) goes out at once, to
    # those who came.
    for person, text in ((SOPHIE, SOPHIE_TAKEAWAY), (NATHALIE, NATHALIE_TAKEAWAY)):
        asked = await teams.expect_message(showing("notes.takeaway.title"), user=person, timeout=20)
        send = find_action(asked.card, verb=NotesVerb.takeaway)
        thanks = card_of(
            await teams.click_execute(
                asked, NotesVerb.takeaway, send["data"], user=person, inputs={"takeaway": text}
            )
        )
        assert shows(thanks, "notes.takeaway.notice.thanks")
        if person is SOPHIE:
            twice = card_of(
                await teams.click_execute(
                    asked,
                    NotesVerb.takeaway,
                    send["data"],
                    user=person,
                    inputs={"takeaway": "x y z"},
                )
            )
            assert shows(twice, "notes.takeaway.notice.already")

    await teams.send_text(FR("command.meetings.past.word"), user=JEAN_FRANCOIS)
    archive = await teams.expect_message(
        lambda m: m.card is not None and TITLE in " ".join(card_strings(m.card)),
        user=JEAN_FRANCOIS,
    )
    listed = " ".join(card_strings(archive.card))
    assert FR("notes.list.has_notes") in listed
    assert FR.plural("notes.list.takeaways", 2) in listed

    await teams.send_text(f"{FR('command.meeting.notes.word')} 1", user=JEAN_FRANCOIS)
    shown = await teams.expect_message(
        lambda m: m.card is not None and KEY_POINT in " ".join(card_strings(m.card)),
        user=JEAN_FRANCOIS,
    )
    shown_text = " ".join(card_strings(shown.card))
    assert SOPHIE_TAKEAWAY in shown_text
    assert NATHALIE_TAKEAWAY in shown_text
    # Jean-François was absent: never asked.
    with pytest.raises(AssertionError):
        await teams.expect_message(showing("notes.takeaway.title"), user=JEAN_FRANCOIS, timeout=1)

    for path in notes_bot.data_dir.rglob("*"):
        if path.is_file():
            assert "TREM 5203" not in path.read_text("utf-8", errors="replace"), path
