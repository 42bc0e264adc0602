"""Child process of test_messenger.py's kill -9 test (not a test module).

Usage: python -m tests.bot.messenger_crash_sender DATA_DIR SERVICE_URL COUNT

Stores COUNT 1:1 conversation references on the connector stub at SERVICE_URL, enqueues one
message per conversation (ids ``m:0``…; known ids are ignored, so a restart enqueues nothing
new), prints "ready" and sends until killed. The parent counts what the stub received.
"""

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.adapter import create_adapter
from bot.messenger import ProactiveMessenger
from bot.settings import Settings
from storage.conversation_repository import ConversationRecord, TinyDbConversationRepository
from storage.outbox_repository import OutboxItem, TinyDbOutboxRepository
from storage.store import Store

TENANT = "tenant-1"


def _record(index: int, service_url: str) -> ConversationRecord:
    conversation_id = f"a:chat-{index}"
    return ConversationRecord(
        key=f"user:aad-{index}",
        reference={
            "bot": {"id": "28:bot"},
            "user": {"id": f"29:{index}"},
            "conversation": {"id": conversation_id, "conversationType": "personal"},
            "channelId": "msteams",
            "serviceUrl": service_url,
        },
        tenant_id=TENANT,
        service_url=service_url,
        user_id=f"29:{index}",
        aad_object_id=f"aad-{index}",
    )


async def send_until_killed(data_dir: Path, service_url: str, count: int) -> None:
    adapter = create_adapter(Settings())  # the bot's own adapter: pooled aiohttp sends
    store = Store(data_dir)
    conversations = TinyDbConversationRepository(store.database("conversations"))
    outbox = TinyDbOutboxRepository(store.database("outbox"))
    for index in range(count):
        await conversations.save(_record(index, service_url))
    messenger = ProactiveMessenger(
        adapter, "", conversations, outbox, lambda: datetime.now(UTC), poll_interval=0.2
    )
    await messenger.enqueue(
        [
            OutboxItem(id=f"m:{i}", target=f"user:aad-{i}", activity={"text": f"m:{i}"})
            for i in range(count)
        ]
    )
    await messenger.start()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(send_until_killed(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])))
