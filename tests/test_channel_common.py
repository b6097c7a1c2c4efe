"""ProcessedOnce: a provider message is claimed, released or done, against real Redis."""

import uuid

from channels.common import DONE, IN_PROGRESS, NEW, ProcessedOnce


async def test_claim_release_done(redis_client, prefix):
    once = ProcessedOnce(redis_client, prefix, "test:once", lease=30)
    message_id = uuid.uuid4().hex
    assert await once.claim(message_id) == NEW
    assert await once.claim(message_id) == IN_PROGRESS
    await once.release(message_id)
    assert await once.claim(message_id) == NEW
    await once.done(message_id)
    assert await once.claim(message_id) == DONE
    assert 0 < await redis_client.ttl(once.key(message_id)) <= 86400


async def test_an_expired_lease_lets_the_message_run_again(redis_client, prefix):
    once = ProcessedOnce(redis_client, prefix, "test:once", lease=1)
    message_id = uuid.uuid4().hex
    assert await once.claim(message_id) == NEW
    await redis_client.pexpire(once.key(message_id), 1)
    import asyncio

    await asyncio.sleep(0.05)
    assert await once.claim(message_id) == NEW
