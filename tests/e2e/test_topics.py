"""The topic bank and the complex-case queue, end to end through the Agents Playground.

Jean-François proposes a topic; Nathalie types a similar one and is offered to support his
instead; Étienne double-clicks « Soutenir » and counts once; Isabelle plans a meeting with the
meetings feature, schedules the topic, merges and archives; a case carrying a name, a NAM and a
date of birth is refused with those three findings and a redacted version, and nothing of it
reaches the bot's data folder; the same case, de-identified, reaches the animateurs' queue.
Every reply is compared with the catalogs, never with pasted text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from cards.i18n import Translator
from cards.topics import TopicVerb
from tests.e2e.client import (
    BotMessage,
    PlaygroundClient,
    card_actions,
    card_strings,
    find_action,
)
from tests.e2e.playground import (
    ETIENNE,
    ISABELLE,
    JEAN_FRANCOIS,
    NATHALIE,
    BotProcess,
)

FR = Translator("fr-CA")
EN = Translator("en")
ADAPTIVE = "application/vnd.microsoft.card.adaptive"
MESSAGE = "application/vnd.microsoft.activity.message"
TOPIC = "Le deuil chez les adolescents en soins palliatifs"
IDENTIFYING = (
    "Mme Tremblay, NAM TREM 5203 1512, née le 12 mars 1948, vit seule depuis le décès de son "
    "conjoint et refuse l'aide à domicile."
)
CLEAN = (
    "Usagère dans la soixantaine, vit seule depuis le décès de son conjoint et refuse l'aide à "
    "domicile."
)


def either(key: str, **values: Any) -> set[str]:
    """The message in both languages: a member may have chosen English in an earlier test."""
    return {FR(key, **values), EN(key, **values)}


def shows(card: dict[str, Any] | None, key: str, **values: Any) -> bool:
    return bool(either(key, **values) & set(card_strings(card)))


def showing(key: str) -> Callable[[BotMessage], bool]:
    return lambda m: m.card is not None and shows(m.card, key)


def saying(key: str, **values: Any) -> Callable[[BotMessage], bool]:
    return lambda m: m.text in either(key, **values)


def walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(walk(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(walk(item))
    return found


def inputs(card: dict[str, Any]) -> dict[str, Any]:
    return {
        n["id"]: n.get("value", "")
        for n in walk(card)
        if str(n.get("type", "")).startswith("Input.") and "id" in n
    }


def facts(card: dict[str, Any]) -> list[dict[str, str]]:
    return [f for n in walk(card) if n.get("type") == "FactSet" for f in n["facts"]]


def executes(card: dict[str, Any], verb: str) -> list[dict[str, Any]]:
    return [
        a["data"]
        for a in card_actions(card)
        if a.get("type") == "Action.Execute" and a.get("verb") == verb
    ]


def card_of(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer.get("type") == ADAPTIVE, answer
    value: dict[str, Any] = answer["value"]
    return value


def text_of(answer: dict[str, Any]) -> str:
    assert answer.get("type") == MESSAGE, answer
    return str(answer["value"])


def row_action(card: dict[str, Any], title: str, verb: str) -> dict[str, Any]:
    """The data of ``verb`` in the list row whose title is ``title``."""
    for node in walk(card):
        items = node.get("items") if node.get("type") == "Container" else None
        if items and items[0].get("type") == "TextBlock" and items[0].get("text") == title:
            found = executes(node, verb)
            if found:
                return found[0]
    raise AssertionError(f"no row {title!r} with {verb}")


def support_count(card: dict[str, Any], title: str) -> str:
    """The meta line under ``title`` in a list card."""
    strings = card_strings(card)
    return strings[strings.index(title) + 1]


async def plan_meeting(client: PlaygroundClient) -> str:
    """Isabelle plans a virtual meeting in the channel with the meetings feature's form."""
    await client.send_text(FR("command.meeting.word"), user=ISABELLE, conversation="channel")
    form = await client.expect_message(
        lambda m: m.card is not None and "join_url" in inputs(m.card), conversation="channel"
    )
    values = {
        **inputs(form.card or {}),
        "title": "Journée régionale du comité des CLSC",
        "committees": "clsc",
        "day": (date.today() + timedelta(days=21)).isoformat(),
        "mode": "virtuel",
        "venue": "",
        "join_url": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_e2e%40thread.v2/0",
    }
    save = find_action(form.card, verb="meetings.save")
    answer = await client.click_execute(
        form, "meetings.save", save["data"], user=ISABELLE, inputs=values
    )
    assert answer.get("type") in (ADAPTIVE, MESSAGE), answer
    return "Journée régionale du comité des CLSC"


async def test_topic_bank_and_case_queue_happy_path(
    client: PlaygroundClient, bot_server: BotProcess
) -> None:
    # Jean-François proposes a topic with the text command and the form.
    await client.send_text(f"{FR('command.topic.word')} {TOPIC}", user=JEAN_FRANCOIS)
    form = await client.expect_message(showing("topics.form.new_title"), user=JEAN_FRANCOIS)
    submit = find_action(form.card, verb=TopicVerb.submit)
    proposed = await client.click_execute(
        form,
        TopicVerb.submit,
        submit["data"],
        user=JEAN_FRANCOIS,
        inputs={**inputs(form.card or {}), "kind": "formatif", "presenter": "Karine Michel"},
    )
    assert shows(card_of(proposed), "topics.notice.proposed")

    # Nathalie types a similar title: she is offered to support his topic instead.
    await client.send_text(f"{FR('command.topic.word')} Adolescents et deuil", user=NATHALIE)
    similar = await client.expect_message(showing("topics.similar.intro"), user=NATHALIE)
    assert TOPIC in card_strings(similar.card)
    offer = executes(similar.card or {}, TopicVerb.support)[0]
    supported = await client.click_execute(similar, TopicVerb.support, offer, user=NATHALIE)
    assert shows(card_of(supported), "topics.notice.supported_instead")

    # Étienne double-clicks « Soutenir » in the bank: one support.
    await client.send_text(FR("command.topics.word"), user=ETIENNE)
    bank = await client.expect_message(showing("topics.bank.title"), user=ETIENNE)
    mine = row_action(bank.card or {}, TOPIC, TopicVerb.support)
    assert mine["on"] is True
    await client.click_execute(bank, TopicVerb.support, mine, user=ETIENNE)
    twice = await client.click_execute(bank, TopicVerb.support, mine, user=ETIENNE)
    counted = support_count(card_of(twice), TOPIC)
    assert any(tr.plural("topics.supports", 2) in counted for tr in (FR, EN)), counted

    # Isabelle plans a meeting, then schedules the topic into it.
    meeting_title = await plan_meeting(client)
    await client.send_text(FR("command.topics.word"), user=ISABELLE)
    bank = await client.expect_message(showing("topics.bank.title"), user=ISABELLE)
    details = row_action(bank.card or {}, TOPIC, TopicVerb.detail)
    assert details["topic_id"] == offer["topic_id"]
    detail = card_of(await client.click_execute(bank, TopicVerb.detail, details, user=ISABELLE))
    choice = next(
        c
        for n in walk(detail)
        if n.get("id") == "meeting"
        for c in n["choices"]
        if meeting_title in c["title"]
    )
    scheduled = await client.click_execute(
        bank,
        TopicVerb.schedule,
        executes(detail, TopicVerb.schedule)[0],
        user=ISABELLE,
        inputs={"meeting": choice["value"]},
    )
    assert shows(card_of(scheduled), "topics.notice.scheduled")

    # Two more topics: Isabelle merges one into the other, then archives the result.
    for title, person in (
        ("Fatigue de compassion", ETIENNE),
        ("La fatigue de compassion chez les intervenants", NATHALIE),
    ):
        await client.send_text(f"{FR('command.topic.word')} {title}", user=person)
        typed = await client.expect_message(showing("topics.form.new_title"), user=person)
        data = find_action(typed.card, verb=TopicVerb.submit)["data"]
        answer = await client.click_execute(
            typed,
            TopicVerb.submit,
            data,
            user=person,
            inputs={**inputs(typed.card or {}), "kind": "echange"},
        )
        assert shows(card_of(answer), "topics.notice.proposed")
    await client.send_text(FR("command.topics.word"), user=ISABELLE)
    bank = await client.expect_message(showing("topics.bank.title"), user=ISABELLE)
    source = row_action(bank.card or {}, "Fatigue de compassion", TopicVerb.detail)
    detail = card_of(await client.click_execute(bank, TopicVerb.detail, source, user=ISABELLE))
    target = next(
        c["value"]
        for n in walk(detail)
        if n.get("id") == "merge_into"
        for c in n["choices"]
        if c["title"] == "La fatigue de compassion chez les intervenants"
    )
    merged = await client.click_execute(
        bank,
        TopicVerb.merge,
        executes(detail, TopicVerb.merge)[0],
        user=ISABELLE,
        inputs={"merge_into": target},
    )
    assert shows(card_of(merged), "topics.notice.merged")
    archived = await client.click_execute(
        bank, TopicVerb.archive, executes(card_of(merged), TopicVerb.archive)[0], user=ISABELLE
    )
    assert shows(card_of(archived), "topics.notice.archived")

    # A case with a name, a NAM and a date of birth is refused; nothing of it is stored.
    await client.send_text(FR("command.case.word"), user=JEAN_FRANCOIS)
    case_form = await client.expect_message(showing("topics.case.form_title"), user=JEAN_FRANCOIS)
    case_values = {
        **inputs(case_form.card or {}),
        "title": "Usagère isolée qui refuse l'aide",
        "context": IDENTIFYING,
        "tried": "Visites du CLSC.",
        "blocks": "Elle refuse toute aide extérieure.",
        "question": "Comment ouvrir la discussion sans briser le lien?",
        "wishes": "advice,supervision",
        "meeting": "",
    }
    send = find_action(case_form.card, verb=TopicVerb.case_submit)["data"]
    refused = card_of(
        await client.click_execute(
            case_form, TopicVerb.case_submit, send, user=JEAN_FRANCOIS, inputs=case_values
        )
    )
    assert shows(refused, "topics.guard.title")
    assert [f["value"] for f in facts(refused)] == [
        "Mme Tremblay",
        "TREM 5203 1512",
        "12 mars 1948",
    ]
    redacted = {f"{tr('topics.token.name')}, NAM [NAM], née le [DATE]," for tr in (FR, EN)}
    assert any(inputs(refused)["context"].startswith(r) for r in redacted), inputs(refused)
    for path in bot_server.data_dir.rglob("*"):
        if path.is_file():
            assert "TREM" not in path.read_text("utf-8", errors="replace"), path
    assert "TREM" not in bot_server.log_path.read_text("utf-8", errors="replace")

    # The same case without identifiers is accepted and reaches the animateurs' queue.
    accepted = await client.click_execute(
        case_form,
        TopicVerb.case_submit,
        send,
        user=JEAN_FRANCOIS,
        inputs={**case_values, "context": CLEAN},
    )
    assert shows(card_of(accepted), "topics.notice.case_submitted")
    await client.send_text(FR("command.cases.queue.word"), user=ISABELLE)
    queue = await client.expect_message(showing("topics.case.queue_title"), user=ISABELLE)
    assert "Usagère isolée qui refuse l'aide" in card_strings(queue.card)


async def test_topic_bank_refuses_bad_input_and_roles(client: PlaygroundClient) -> None:
    # A member cannot open the case queue.
    await client.send_text(FR("command.cases.queue.word"), user=NATHALIE)
    refusal = await client.expect_message(saying("errors.forbidden"), user=NATHALIE)
    assert refusal.card is None
    # An unknown volet word.
    await client.send_text(f"{FR('command.topics.word')} blabla", user=NATHALIE)
    kinds = ("formatif", "echange", "reflexif", "divers")
    expected = {
        tr(
            "topics.errors.unknown_filter",
            words=", ".join(tr(f"topics.kind.{k}.word") for k in kinds),
        )
        for tr in (FR, EN)
    }
    await client.expect_message(lambda m: m.text in expected, user=NATHALIE)
    # A member's forged schedule and a tampered support are refused, changing nothing.
    await client.send_text(FR("command.topics.word"), user=NATHALIE)
    bank = await client.expect_message(showing("topics.bank.title"), user=NATHALIE)
    forged = await client.click_execute(
        bank,
        TopicVerb.schedule,
        {"verb": TopicVerb.schedule, "topic_id": "x", "meeting": "y"},
        user=NATHALIE,
    )
    assert text_of(forged) in either("errors.forbidden")
    tampered = await client.click_execute(
        bank,
        TopicVerb.support,
        {"verb": TopicVerb.support, "topic_id": "nope", "on": True},
        user=NATHALIE,
    )
    assert text_of(tampered) in either("topics.errors.not_found")
    peek = await client.click_execute(
        bank, TopicVerb.case_list, {"verb": TopicVerb.case_list, "scope": "queue"}, user=NATHALIE
    )
    assert text_of(peek) in either("errors.forbidden")
