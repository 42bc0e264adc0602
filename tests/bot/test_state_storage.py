"""TinyDbBotStorage: the checks of botbuilder-python's storage_base_tests.py, then real BotState.

Ported from libraries/botbuilder-testing/botbuilder/testing/storage_base_tests.py (4.17.1),
including the e_tag conflict check the original leaves commented out.
"""

import pytest
from botbuilder.core import (
    ConversationState,
    MessageFactory,
    StoreItem,
    TurnContext,
    UserState,
)
from botbuilder.core.adapters import TestAdapter
from botbuilder.dialogs import (
    Dialog,
    DialogSet,
    DialogTurnStatus,
    PromptOptions,
    PromptValidatorContext,
    TextPrompt,
    WaterfallDialog,
    WaterfallStepContext,
)

from bot.state_storage import ETagConflict, TinyDbBotStorage
from storage.store import Database, stored_tables


@pytest.fixture
def database(tmp_path):
    database = Database(tmp_path / "bot_state.json")
    yield database
    database.close()


@pytest.fixture
def storage(database):
    return TinyDbBotStorage(database)


# --- storage_base_tests.py ---------------------------------------------------------------


async def test_reading_an_unknown_key_returns_an_empty_dict(storage):
    assert await storage.read(["unknown"]) == {}
    assert await storage.read([]) == {}


async def test_none_keys_or_changes_are_refused(storage):
    with pytest.raises(ValueError, match="Keys are required when reading"):
        await storage.read(None)
    with pytest.raises(ValueError, match="Changes are required when writing"):
        await storage.write(None)


async def test_writing_no_items_does_nothing(storage, tmp_path):
    await storage.write({})
    await storage.write([])

    assert not (tmp_path / "bot_state.json").exists()


async def test_create_object(storage):
    store_items = {
        "createPoco": {"id": 1},
        "createPocoStoreItem": {"id": 2, "e_tag": "*"},
    }

    await storage.write(store_items)
    read_store_items = await storage.read(store_items.keys())

    assert read_store_items["createPoco"]["id"] == 1
    assert read_store_items["createPocoStoreItem"]["id"] == 2
    assert read_store_items["createPoco"]["e_tag"]
    assert read_store_items["createPocoStoreItem"]["e_tag"] not in (None, "*")


async def test_crazy_keys(storage):
    key = '!@#$%^&*()_+??><":QASD~`'

    await storage.write({key: {"id": 1}})

    assert (await storage.read([key]))[key]["id"] == 1


async def test_update_object(storage):
    await storage.write(
        {
            "pocoItem": {"id": 1, "count": 1},
            "pocoStoreItem": {"id": 1, "count": 1, "e_tag": "*"},
        }
    )
    loaded = await storage.read(["pocoItem", "pocoStoreItem"])
    loaded["pocoItem"]["e_tag"] = None
    assert loaded["pocoStoreItem"]["e_tag"] is not None

    # Write with the e_tag that was read (or none): works.
    loaded["pocoItem"]["count"] += 1
    loaded["pocoStoreItem"]["count"] += 1
    await storage.write(loaded)
    reloaded = await storage.read(loaded.keys())
    assert reloaded["pocoItem"]["count"] == 2
    assert reloaded["pocoStoreItem"]["count"] == 2

    # Write with a wildcard e_tag: works.
    reloaded["pocoItem"]["count"] = 100
    reloaded["pocoStoreItem"]["count"] = 100
    reloaded["pocoStoreItem"]["e_tag"] = "*"
    await storage.write(reloaded)
    assert (await storage.read(["pocoItem"]))["pocoItem"]["count"] == 100
    assert (await storage.read(["pocoStoreItem"]))["pocoStoreItem"]["count"] == 100

    # Write with an empty e_tag: refused, nothing changes.
    item = (await storage.read(["pocoStoreItem"]))["pocoStoreItem"]
    item["e_tag"] = ""
    item["count"] = 7
    with pytest.raises(ValueError, match="empty e_tag"):
        await storage.write({"pocoStoreItem": item})
    final = await storage.read(["pocoItem", "pocoStoreItem"])
    assert final["pocoItem"]["count"] == 100
    assert final["pocoStoreItem"]["count"] == 100


async def test_write_with_an_old_e_tag_is_refused_and_changes_nothing(storage):
    key = "msteams/conversations/a:1Xy/"
    await storage.write({key: {"count": 1}})
    first_reader = (await storage.read([key]))[key]
    second_reader = (await storage.read([key]))[key]

    first_reader["count"] = 2
    await storage.write({key: first_reader, "other": {"count": 1}})
    second_reader["count"] = 3
    with pytest.raises(ETagConflict) as conflict:
        await storage.write({"other": {"count": 2}, key: second_reader})

    assert key not in str(conflict.value)
    assert second_reader["e_tag"] not in str(conflict.value)
    stored = await storage.read([key, "other"])
    assert stored[key]["count"] == 2
    assert stored["other"]["count"] == 1  # the whole batch was refused


async def test_each_write_stores_a_new_e_tag_and_sets_it_on_the_written_item(storage):
    item = {"count": 1}
    await storage.write({"item": item})
    first = (await storage.read(["item"]))["item"]["e_tag"]
    assert item["e_tag"] == first

    item["count"] = 2
    await storage.write({"item": item})  # same holder writes twice: no conflict
    second = (await storage.read(["item"]))["item"]["e_tag"]

    assert second != first
    assert item["e_tag"] == second


async def test_store_items_round_trip_as_objects(storage):
    await storage.write({"thing": StoreItem(id=1, name="Écho", e_tag="*")})

    thing = (await storage.read(["thing"]))["thing"]
    assert isinstance(thing, StoreItem)
    assert (thing.id, thing.name) == (1, "Écho")

    thing.name = "autre"
    await storage.write({"thing": thing})
    stale = StoreItem(id=1, name="vieux", e_tag="not-the-current-e-tag")
    with pytest.raises(ETagConflict):
        await storage.write({"thing": stale})
    assert (await storage.read(["thing"]))["thing"].name == "autre"


async def test_delete_object(storage):
    await storage.write({"delete1": {"id": 1, "count": 1, "e_tag": "*"}})
    read_store_items = await storage.read(["delete1"])
    assert read_store_items["delete1"]["e_tag"]
    assert read_store_items["delete1"]["count"] == 1

    await storage.delete(["delete1"])

    assert await storage.read(["delete1"]) == {}


async def test_delete_unknown_object(storage):
    await storage.delete(["unknown_key"])
    await storage.delete([])


async def test_batch_operations(storage):
    await storage.write({"batch1": {"count": 10}, "batch2": {"count": 20}, "batch3": {"count": 30}})

    result = await storage.read(["batch1", "batch2", "batch3"])
    assert {key: item["count"] for key, item in result.items()} == {
        "batch1": 10,
        "batch2": 20,
        "batch3": 30,
    }
    assert all(item["e_tag"] for item in result.values())

    await storage.delete({"batch1", "batch2", "batch3"})

    assert await storage.read(["batch1", "batch2", "batch3"]) == {}


async def test_the_file_stays_plain_json(storage, tmp_path):
    await storage.write({"item": {"text": "Bonjour à tous", "nested": {"n": [1, 2]}}})

    raw = stored_tables(tmp_path / "bot_state.json")

    (document,) = raw["state"].values()
    assert document["key"] == "item"
    assert document["value"] == {"text": "Bonjour à tous", "nested": {"n": [1, 2]}}


async def test_proceeds_through_waterfall(storage):
    convo_state = ConversationState(storage)
    dialog_state = convo_state.create_property("dialogState")
    dialogs = DialogSet(dialog_state)

    async def exec_test(turn_context: TurnContext) -> None:
        dialog_context = await dialogs.create_context(turn_context)
        await dialog_context.continue_dialog()
        if not turn_context.responded:
            await dialog_context.begin_dialog(WaterfallDialog.__name__)
        await convo_state.save_changes(turn_context)

    async def prompt_validator(prompt_context: PromptValidatorContext) -> bool:
        attempts = prompt_context.options.number_of_attempts
        if len(prompt_context.recognized.value) > 3:
            await prompt_context.context.send_activity(f"You got it at the {attempts}rd try!")
            return True
        await prompt_context.context.send_activity(
            f"Please send a name that is longer than 3 characters. {attempts}"
        )
        return False

    async def step_1(step_context: WaterfallStepContext) -> DialogTurnStatus:
        assert isinstance(step_context.active_dialog.state["stepIndex"], int)
        await step_context.context.send_activity("step1")
        return Dialog.end_of_turn

    async def step_2(step_context: WaterfallStepContext) -> DialogTurnStatus:
        assert isinstance(step_context.active_dialog.state["stepIndex"], int)
        return await step_context.prompt(
            TextPrompt.__name__,
            PromptOptions(prompt=MessageFactory.text("Please type your name")),
        )

    async def step_3(step_context: WaterfallStepContext) -> DialogTurnStatus:
        assert isinstance(step_context.active_dialog.state["stepIndex"], int)
        await step_context.context.send_activity("step3")
        return Dialog.end_of_turn

    dialogs.add(WaterfallDialog(WaterfallDialog.__name__, [step_1, step_2, step_3]))
    dialogs.add(TextPrompt(TextPrompt.__name__, prompt_validator))
    adapter = TestAdapter(exec_test)

    step = await (await adapter.send("hello")).assert_reply("step1")
    step = await (await step.send("hello")).assert_reply("Please type your name")
    for attempt in range(3):
        step = await (await step.send("hi")).assert_reply(
            f"Please send a name that is longer than 3 characters. {attempt}"
        )
    step = await (await step.send("Kyle")).assert_reply("You got it at the 3rd try!")
    await step.assert_reply("step3")


# --- real BotState over the storage ------------------------------------------------------


def _counting_bot(database: Database):
    """A bot counting turns per conversation and remembering the user's chosen locale."""
    storage = TinyDbBotStorage(database)
    conversation_state = ConversationState(storage)
    user_state = UserState(storage)
    turns = conversation_state.create_property("turns")
    profile = user_state.create_property("profile")

    async def logic(turn_context: TurnContext) -> None:
        count = await turns.get(turn_context, int) + 1
        await turns.set(turn_context, count)
        user = await profile.get(turn_context, dict)
        if turn_context.activity.text.startswith("locale "):
            user["locale"] = turn_context.activity.text.removeprefix("locale ")
            await profile.set(turn_context, user)
        await turn_context.send_activity(f"{count} {user.get('locale', '-')}")
        await conversation_state.save_changes(turn_context)
        await user_state.save_changes(turn_context)

    return TestAdapter(logic)


async def test_conversation_and_user_state_persist_across_turns_and_reopening(tmp_path):
    path = tmp_path / "bot_state.json"
    database = Database(path)
    adapter = _counting_bot(database)

    step = await (await adapter.send("locale fr-CA")).assert_reply("1 fr-CA")
    await (await step.send("hello")).assert_reply("2 fr-CA")
    database.close()

    reopened = Database(path)
    adapter = _counting_bot(reopened)
    await (await adapter.send("hello")).assert_reply("3 fr-CA")
    reopened.close()


async def test_a_turn_that_saves_twice_does_not_conflict_with_itself(database):
    storage = TinyDbBotStorage(database)
    conversation_state = ConversationState(storage)
    turns = conversation_state.create_property("turns")

    async def logic(turn_context: TurnContext) -> None:
        await turns.set(turn_context, await turns.get(turn_context, int) + 1)
        await conversation_state.save_changes(turn_context)
        await turns.set(turn_context, await turns.get(turn_context, int) + 1)
        await conversation_state.save_changes(turn_context)
        await turn_context.send_activity(str(await turns.get(turn_context)))

    adapter = TestAdapter(logic)
    step = await (await adapter.send("a")).assert_reply("2")
    await (await step.send("b")).assert_reply("4")
