"""The SMS webhook alone (no model to train): the real SmsInput blueprint in a
Sanic server of its own, signed Twilio requests in, Rasa replaced by a recorder."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any, Dict, Iterator, List

import pytest
import redis as syncredis
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from channels.sms import SmsInput, SmsSettings
from tests.channels.test_sms import Phone
from tests.support.servers import _free_port
from tests.support.settings import TEST_REDIS_URL, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN

DAY = 86400


class Webhook:
    """``/webhooks/sms`` served in a thread; what reaches "Rasa" is recorded."""

    def __init__(self, settings: SmsSettings) -> None:
        self.received: List[UserMessage] = []
        self.channel = SmsInput(settings)
        self.app = Sanic(f"sms_webhook_{uuid.uuid4().hex[:8]}")
        self.app.blueprint(self.channel.blueprint(self._on_new_message),
                           url_prefix="/webhooks/sms")
        self.port = int(settings.public_url.rsplit(":", 1)[1])
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    async def _on_new_message(self, message: UserMessage) -> None:
        self.received.append(message)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            server = self.loop.run_until_complete(self.app.create_server(
                host="127.0.0.1", port=self.port, return_asyncio_server=True,
                access_log=False))
            self.loop.run_until_complete(server.startup())
        except BaseException as error:  # noqa: BLE001 - reported by start()
            self.error = error
            self.ready.set()
            raise
        self.error = None
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(server.close())
        self.loop.run_until_complete(self.channel.redis.close())

    def start(self) -> None:
        self.thread.start()
        assert self.ready.wait(60) and self.error is None, \
            f"the webhook server did not start: {self.error!r}"

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(60)


@pytest.fixture(scope="module")
def webhook() -> Iterator[Dict[str, Any]]:
    """The webhook on a free port, under a key prefix of its own (nobody else's
    pending messages to replay); one per module (Sanic 21.12 starts one app a process)."""
    url = f"http://127.0.0.1:{_free_port()}"
    prefix = f"{uuid.uuid4().hex[:8]}w"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (("TWILIO_ACCOUNT_SID", TWILIO_SID),
                            ("TWILIO_AUTH_TOKEN", TWILIO_TOKEN),
                            ("TWILIO_FROM_NUMBER", TWILIO_FROM), ("PUBLIC_URL", url),
                            ("TWILIO_API_URL", "http://127.0.0.1:9"),
                            ("LIEN_KEY_PREFIX", prefix)):
            patch.setenv(name, value)
        server = Webhook(SmsSettings.from_env())
    assert server.channel.prefix == prefix
    server.start()
    try:
        yield {"rasa": url, "twilio": "http://127.0.0.1:9", "server": server,
               "prefix": prefix}
    finally:
        server.stop()
        client = syncredis.Redis.from_url(TEST_REDIS_URL)
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            client.delete(key)


@pytest.fixture(autouse=True)
def _fresh(webhook) -> None:
    """Nothing received yet."""
    webhook["server"].received.clear()


def _advance(redis, prefix: str, seconds: int) -> None:
    """Redis as it would be ``seconds`` later: keys expiring before then are gone,
    the others have that much less to live."""
    for key in redis.scan_iter(match=f"{prefix}:*", count=1000):
        ttl = redis.ttl(key)
        if ttl < 0:
            continue
        if ttl <= seconds:
            redis.delete(key)
        else:
            redis.expire(key, ttl - seconds)


def test_a_signed_sms_replayed_after_a_day_is_not_processed_again(webhook, sync_redis):
    phone, server, prefix = Phone(webhook), webhook["server"], webhook["prefix"]
    sid = f"SM{uuid.uuid4().hex}"
    first = phone.text("merci beaucoup", sid=sid)
    assert first.status_code == 200
    assert [(m.sender_id, m.text, m.message_id) for m in server.received] == [
        (f"sms:{phone.number}", "merci beaucoup", sid)]
    # The same signed request, captured and posted again a day later (Twilio's
    # signature has no date: it stays valid forever).
    _advance(sync_redis, prefix, DAY + 60)
    again = phone.text("merci beaucoup", sid=sid)
    assert again.status_code == 200 and again.text == first.text  # nothing to retry
    assert len(server.received) == 1
    # ... and a month later still.
    _advance(sync_redis, prefix, 28 * DAY)
    assert phone.text("merci beaucoup", sid=sid).status_code == 200
    assert len(server.received) == 1
    # A new message of the same person is processed as usual.
    assert phone.text("bonne soirée").status_code == 200
    assert [m.text for m in server.received] == ["merci beaucoup", "bonne soirée"]


def test_a_message_that_failed_is_still_processed_when_twilio_retries(webhook, monkeypatch):
    phone, server = Phone(webhook), webhook["server"]
    deliver = server.channel._deliver
    failures = [RuntimeError("rasa down")]

    async def failing_once(on_new_message, *args):
        if failures:
            raise failures.pop()
        return await deliver(on_new_message, *args)

    monkeypatch.setattr(server.channel, "_deliver", failing_once)
    sid = f"SM{uuid.uuid4().hex}"
    assert phone.text("bonjour", sid=sid).status_code == 503  # Twilio will retry
    assert phone.text("bonjour", sid=sid).status_code == 200
    assert [m.message_id for m in server.received] == [sid]
