"""The bot's HTTP endpoint, driven as Teams drives it (activities in, connector calls out)."""

from __future__ import annotations

import pytest

from bot.app import RUNTIME
from cards.i18n import Translator
from dialogs.core.language import offered_to
from storage.community import ProfileFile
from tests.bot.conftest import ANIMATEUR_AAD, MEMBER_AAD, BotHttp, card_of, texts_of

FR = Translator("fr-CA")
EN = Translator("en")

pytestmark = pytest.mark.integration


async def test_healthz(bot_http: BotHttp) -> None:
    response = await bot_http.client.get("/healthz")
    assert response.status == 200
    assert (await response.json())["status"] == "ok"


@pytest.mark.parametrize("word", ["aide", "Aide", "AIDE", "help"])
async def test_help_card_in_french_by_default(bot_http: BotHttp, word: str) -> None:
    status, _ = await bot_http.post(bot_http.activity(word))
    assert status in (200, 201)
    texts = texts_of(card_of(bot_http.replies()[-1]))
    assert FR("help.title") in texts
    assert FR("command.help.word") in texts
    assert FR("command.reload.word") not in texts  # members don't see animateur commands


async def test_english_client_in_a_french_community_is_answered_in_french_then_offered_english(
    bot_http: BotHttp,
) -> None:
    """The community's language comes before the client's; the client's language is offered
    once, in that language, and one click makes it the member's own choice."""
    await bot_http.post(bot_http.activity("aide", locale="en-US"))
    help_card, offer = (card_of(reply) for reply in bot_http.replies()[-2:])
    assert FR("help.title") in texts_of(help_card)
    assert EN("language.offer.title") in texts_of(offer)
    assert EN("language.offer.text", language=EN("language.name.fr-CA")) in texts_of(offer)
    switch = offer["actions"][0]
    assert (switch["title"], switch["data"]) == (
        EN("language.offer.switch"),
        {"verb": "set_language", "locale": "en"},
    )

    await bot_http.post(bot_http.activity("help", locale="en-US"))  # not offered twice
    assert len(bot_http.replies()) == 3
    assert FR("help.title") in texts_of(card_of(bot_http.replies()[-1]))

    status, body = await bot_http.post(
        bot_http.execute(switch["verb"], switch["data"], locale="en-US")
    )
    assert status == 200
    assert EN("help.title") in texts_of(body["value"])
    await bot_http.post(bot_http.activity("aide", locale="fr-CA"))  # her choice beats the client
    assert EN("help.title") in texts_of(card_of(bot_http.replies()[-1]))
    assert len(bot_http.replies()) == 4


async def test_no_offer_when_the_client_speaks_the_community_language(bot_http: BotHttp) -> None:
    await bot_http.post(bot_http.activity("aide", locale="fr-CA"))
    await bot_http.post(bot_http.activity("bonjour", locale="fr-FR"))
    assert len(bot_http.replies()) == 2
    assert bot_http.replies()[-1]["text"] == FR("errors.unknown_command", text="bonjour")


async def test_animateur_sees_animateur_commands(bot_http: BotHttp) -> None:
    await bot_http.post(bot_http.activity("aide", aad=ANIMATEUR_AAD))
    texts = texts_of(card_of(bot_http.replies()[-1]))
    assert FR("help.animateur_commands") in texts
    assert FR("command.reload.word") in texts


async def test_unknown_text_gets_a_hint(bot_http: BotHttp) -> None:
    await bot_http.post(bot_http.activity("bonjour"))
    assert bot_http.replies()[-1]["text"] == FR("errors.unknown_command", text="bonjour")


async def test_mention_is_stripped_in_channels(bot_http: BotHttp) -> None:
    activity = bot_http.activity(
        "<at>Veilleuse</at> aide",
        conversation="19:channel@thread.tacv2",
        entities=[
            {
                "type": "mention",
                "text": "<at>Veilleuse</at>",
                "mentioned": {"id": "28:veilleuse", "name": "Veilleuse"},
            }
        ],
    )
    activity["conversation"]["conversationType"] = "channel"
    await bot_http.post(activity)
    texts = texts_of(card_of(bot_http.replies("19:channel@thread.tacv2")[-1]))
    assert FR("help.title") in texts


async def test_member_cannot_run_an_animateur_command(bot_http: BotHttp) -> None:
    await bot_http.post(bot_http.activity("recharger"))
    assert bot_http.replies()[-1]["text"] == FR("errors.forbidden")


async def test_language_preference_is_kept(bot_http: BotHttp) -> None:
    await bot_http.post(bot_http.activity("langue anglais"))
    assert bot_http.replies()[-1]["text"] == EN("language.current")
    await bot_http.post(bot_http.activity("aide", locale="fr-CA"))
    assert EN("help.title") in texts_of(card_of(bot_http.replies()[-1]))
    await bot_http.post(bot_http.activity("language xx"))
    assert bot_http.replies()[-1]["text"] == EN("language.usage")


async def test_action_execute_returns_200_with_the_card(bot_http: BotHttp) -> None:
    """botbuilder 4.17.1 answers Action.Execute with HTTP 500; ours must answer 200 + card."""
    status, body = await bot_http.post(bot_http.execute("set_language", {"locale": "en"}))
    assert status == 200
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert EN("help.title") in texts_of(body["value"])


@pytest.mark.parametrize(
    "data",
    [{"locale": "de"}, {"locale": ["en"]}, {}],
)
async def test_tampered_card_data_gets_a_message(bot_http: BotHttp, data: dict) -> None:
    status, body = await bot_http.post(bot_http.execute("set_language", data))
    assert status == 200
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert body["value"] == FR("errors.bad_card_data")


async def test_unknown_verb_gets_a_message(bot_http: BotHttp) -> None:
    status, body = await bot_http.post(bot_http.execute("drop_tables", {}))
    assert status == 200
    assert body["value"] == FR("errors.unknown_action")


async def test_malformed_invoke_value(bot_http: BotHttp) -> None:
    activity = bot_http.execute("x", {})
    activity["value"] = {"action": "not-an-object"}
    status, body = await bot_http.post(activity)
    assert status == 200
    assert body["value"] == FR("errors.bad_card_data")


async def test_action_submit_fallback_updates_the_card(bot_http: BotHttp) -> None:
    activity = bot_http.activity(None, value={"verb": "set_language", "locale": "en"})
    activity["replyToId"] = "card-1"
    await bot_http.post(activity)
    updated = bot_http.connector.updated["card-1"][-1]
    assert EN("help.title") in texts_of(card_of(updated))


async def test_same_activity_delivered_twice_is_processed_once(bot_http: BotHttp) -> None:
    activity = bot_http.activity("aide")
    await bot_http.post(activity)
    await bot_http.post(activity)
    assert len(bot_http.replies()) == 1


async def test_same_invoke_delivered_twice_answers_the_same(bot_http: BotHttp) -> None:
    activity = bot_http.execute("set_language", {"locale": "en"})
    first = await bot_http.post(activity)
    second = await bot_http.post(activity)
    assert first == second


async def test_non_json_is_415(bot_http: BotHttp) -> None:
    response = await bot_http.client.post(
        "/api/messages", data=b"hello", headers={"Content-Type": "text/plain"}
    )
    assert response.status == 415


async def test_invalid_json_is_400(bot_http: BotHttp) -> None:
    response = await bot_http.client.post(
        "/api/messages", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400


async def test_activity_without_type_is_400(bot_http: BotHttp) -> None:
    status, _ = await bot_http.post({"text": "aide"})
    assert status == 400


async def test_huge_body_is_413(bot_http: BotHttp) -> None:
    activity = bot_http.activity("x" * (300 * 1024))
    status, _ = await bot_http.post(activity)
    assert status == 413
    assert bot_http.replies() == []


async def test_a_crash_gets_a_generic_apology_without_details(
    bot_http: BotHttp, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(self: ProfileFile) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(ProfileFile, "reload", explode)
    await bot_http.post(bot_http.activity("recharger", aad=ANIMATEUR_AAD))
    reply = bot_http.replies()[-1]["text"]
    assert reply == FR("errors.generic")
    assert "secret" not in reply


async def test_reload_reports_the_bad_field(bot_http: BotHttp) -> None:
    path = bot_http.data_dir / "community.toml"
    path.write_text(
        path.read_text("utf-8").replace('short_name = "CdeP Montérégie"', 'short_name = ""'),
        "utf-8",
    )
    await bot_http.post(bot_http.activity("recharger", aad=ANIMATEUR_AAD))
    assert "short_name" in bot_http.replies()[-1]["text"]
    await bot_http.post(bot_http.activity("aide"))
    assert "CdeP Montérégie" in " ".join(texts_of(card_of(bot_http.replies()[-1])))


async def test_bot_added_to_a_personal_chat_greets_when_no_feature_does(bot_http: BotHttp) -> None:
    from bot.app import RUNTIME
    from dialogs.core import routes as core

    bot_http.client.server.app[RUNTIME].bot.features = (core,)
    activity = bot_http.activity(
        None,
        type="conversationUpdate",
        membersAdded=[{"id": "28:veilleuse"}],
    )
    await bot_http.post(activity)
    assert bot_http.replies()[-1]["text"] == FR(
        "greeting.personal", name="Sophie", community="CdeP Montérégie"
    )


class _RecordingFeature:
    """A feature module stand-in with every optional event hook."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    async def on_members_added(self, turn: object, people: list) -> None:
        self.calls.append(("added", [p.aad_object_id for p in people]))

    async def on_members_removed(self, turn: object, people: list) -> None:
        self.calls.append(("removed", [p.aad_object_id for p in people]))

    async def on_meeting_event(self, turn: object, event: object) -> None:
        self.calls.append(("meeting", event))

    async def on_bot_installed(self, turn: object, scope: str) -> bool:
        self.calls.append(("installed", scope))
        return True


async def test_team_events_reach_feature_hooks(bot_http: BotHttp) -> None:
    from bot.app import RUNTIME

    recorder = _RecordingFeature()
    bot = bot_http.client.server.app[RUNTIME].bot
    bot.features = (recorder,)
    added = bot_http.activity(
        None,
        type="conversationUpdate",
        conversation="19:general@thread.tacv2",
        membersAdded=[{"id": "29:new", "aadObjectId": "aad-new", "name": "Nouvelle"}],
        channelData={
            "eventType": "teamMemberAdded",
            "team": {"id": "19:team"},
            "tenant": {"id": "t1"},
        },
    )
    added["conversation"]["conversationType"] = "channel"
    # The SDK asks the roster about each added member; the stub does not know them, which the
    # SDK treats as "use what the activity says" only for ConversationNotFound. Give details
    # inline so no lookup is needed, as Teams does for new members.
    added["membersAdded"][0]["userPrincipalName"] = "nouvelle@cdep-monteregie.example"
    await bot_http.post(added)
    removed = dict(added, id="act-removed", membersAdded=None)
    removed["membersRemoved"] = [{"id": "29:old", "aadObjectId": "aad-old"}]
    removed["channelData"] = dict(added["channelData"], eventType="teamMemberRemoved")
    await bot_http.post(removed)
    meeting = bot_http.activity(
        None,
        type="event",
        name="application/vnd.microsoft.meetingStart",
        value={"Id": "MCMx", "Title": "Journée"},
        conversation="19:meeting_x@thread.v2",
    )
    await bot_http.post(meeting)
    installed = bot_http.activity(
        None, type="conversationUpdate", membersAdded=[{"id": "28:veilleuse"}]
    )
    await bot_http.post(installed)
    kinds = [kind for kind, _ in recorder.calls]
    assert kinds == ["added", "removed", "meeting", "installed"]
    assert recorder.calls[0][1] == ["aad-new"]
    assert recorder.calls[1][1] == ["aad-old"]
    assert recorder.calls[3][1] == "personal"
    assert bot_http.replies() == []  # the hook greeted (returned True), not the default


async def test_erasing_by_action_submit_keeps_nothing_and_offers_nothing(bot_http: BotHttp) -> None:
    """« Effacer mes données » sent as Action.Submit (a message activity) from an en-US client:
    the caller is resolved once, so the language offer after the handler neither re-saves the
    member nor records an offer for them."""
    services = bot_http.client.server.app[RUNTIME].services
    await bot_http.post(bot_http.activity("aide", locale="fr-CA"))  # known, no offer
    assert await services.members.get(MEMBER_AAD) is not None
    before = len(bot_http.replies())

    submit = bot_http.activity(locale="en-US")
    submit["value"] = {"verb": "onboarding.erase_my_data", "confirm": "yes"}
    status, _ = await bot_http.post(submit)

    assert status in (200, 201)
    assert await services.members.get(MEMBER_AAD) is None
    assert not await offered_to(services, MEMBER_AAD)
    sent = bot_http.replies()[before:]
    assert sent  # the erasure answer
    offers = [
        r
        for r in sent
        if r.get("attachments") and EN("language.offer.title") in texts_of(card_of(r))
    ]
    assert offers == []


async def test_a_burst_of_commands_in_one_chat_loses_no_answer(bot_http: BotHttp) -> None:
    """Teams takes about 7 activities a second into one chat (the stub answers 429 beyond):
    an answer refused that way is sent again after Retry-After rather than lost."""
    for _ in range(12):
        status, _ = await bot_http.post(bot_http.activity("aide"))
        assert status in (200, 201)
    assert bot_http.connector.rejected_429 > 0  # the limit was reached…
    answers = [r for r in bot_http.replies() if r.get("attachments")]
    assert len(answers) == 12  # …and every answer arrived
    assert all(FR("help.title") in texts_of(card_of(r)) for r in answers)
