"""Telegram through python-telegram-bot: a hardened Rasa channel.

Inbound: ``POST /webhooks/telegram/webhook``, only with the right
``X-Telegram-Bot-Api-Secret-Token`` (constant-time comparison), one update
processed once per ``update_id`` (Telegram resends until it gets a 2xx), parsed
with PTB's ``Update.de_json``. Button presses are answered
(``answer_callback_query``) and become their payloads; stickers, photos, voice
notes, documents and edited messages get a kind reply that only text is read;
group chats are ignored. The sender id is ``telegram:<chat id>``.

Outbound: PTB's ``Bot`` (``base_url`` from ``TELEGRAM_API_URL``), inline
keyboards for buttons, at most one message a second per chat and thirty a
second overall, ``RetryAfter`` honoured.

Configured from the environment: ``TELEGRAM_BOT_TOKEN``,
``TELEGRAM_SECRET_TOKEN``, ``TELEGRAM_API_URL``, ``PUBLIC_URL``. Without a token
and a secret the channel is off: its webhook answers 503.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from redis.exceptions import RedisError
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Update

from channels.common import (
    DONE, IN_PROGRESS, ProcessedOnce, SpoolReplayer, answer_without_redis,
    button_payload, channel_redis, escalate_on_arrival, publish_if_taken_over, typed_text,
)
from channels.telegram_send import (
    MAX_TEXT, SENDER_PREFIX, TelegramSender, TelegramSettings, answer_button, get_bot,
)
from bot.checkins import circle_answers
from bot.core import clock

logger = logging.getLogger(__name__)

# The Bot API's loggers are quietened in channels.telegram_send (URLs hold the token).
MEDIA_PAYLOAD = "/media_received"


class TelegramOutput(TelegramSender, OutputChannel):
    """The Telegram sender as Rasa's output channel: the dialogue's answers."""


class TelegramInput(InputChannel):
    """Receives Telegram updates from the Bot API webhook."""

    @classmethod
    def name(cls) -> Text:
        """Channel name: the webhook is /webhooks/telegram/webhook."""
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TelegramInput":
        """Settings come from the environment, not from credentials.yml."""
        return cls(TelegramSettings.from_env())

    def __init__(self, settings: TelegramSettings) -> None:
        """Connect to Redis for de-duplication."""
        self.settings = settings
        self.redis, self.prefix = channel_redis()
        self.once = ProcessedOnce(self.redis, self.prefix, "telegram:update")
        if settings.enabled:
            logger.info("Telegram channel on (Bot API %s)", settings.api_url)
        else:
            logger.warning("Telegram channel off: TELEGRAM_BOT_TOKEN or "
                           "TELEGRAM_SECRET_TOKEN missing")

    def get_output_channel(self) -> Optional[OutputChannel]:
        """Lets Rasa send proactive messages (trigger_intent) on Telegram."""
        return TelegramOutput(self.settings) if self.settings.enabled else None

    def _authentic(self, request: Request) -> bool:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        return hmac.compare_digest(given.encode(), self.settings.secret.encode())

    async def _text_of(self, update: Update) -> Optional[str]:
        """What the person said, as Rasa should read it; None to ignore."""
        if update.callback_query is not None:
            query = update.callback_query
            await answer_button(self.settings, query.id)
            # Only our own buttons' payloads; anything else is read as typed text.
            return button_payload(query.data or "") or typed_text(query.data or "")
        if update.edited_message is not None:
            return MEDIA_PAYLOAD
        message = update.message
        if message is None:
            return None
        if message.text:
            if message.text.startswith("/start"):
                return "/start"
            return typed_text(message.text[:MAX_TEXT])
        return MEDIA_PAYLOAD

    async def _degraded(self, update: Update, chat_id: int) -> HTTPResponse:
        """Redis is down: answer in the webhook's reply (a Bot API method), keep it on disk."""
        text = await self._text_of(update) or ""
        reply = answer_without_redis(f"{SENDER_PREFIX}{chat_id}", text, self.name(),
                                     str(update.update_id))
        return response.json({"method": "sendMessage", "chat_id": chat_id, "text": reply})

    def _spool(self) -> SpoolReplayer:
        if getattr(self, "_replayer", None) is None:
            self._replayer = SpoolReplayer(self.redis, self.prefix, self.name(), self.once)
        return self._replayer

    def _kept_delivery(self, on_new_message) -> Callable[[str, str, str], Awaitable[Any]]:
        async def deliver(update_id: str, sender_id: str, text: str) -> None:
            await on_new_message(UserMessage(
                text, self.get_output_channel(), sender_id, input_channel=self.name(),
                message_id=f"tg-{update_id}"))
            await self.once.done(update_id)

        return deliver

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """The webhook Telegram calls."""
        telegram = Blueprint("telegram_webhook", __name__)

        @telegram.listener("after_server_start")
        async def watch_spool(app, loop) -> None:
            if self.settings.enabled:
                loop.create_task(self._spool().watch(self._kept_delivery(on_new_message)))

        @telegram.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.enabled else "off"})

        @telegram.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.settings.enabled:
                return response.text("Telegram channel off", status=503)
            if not self._authentic(request):
                logger.warning("telegram webhook: bad or missing secret token")
                return response.text("forbidden", status=403)
            try:
                data = json.loads(request.body or b"")
                update = Update.de_json(data, await get_bot(self.settings))
            except (ValueError, TypeError, KeyError, AttributeError):
                return response.text("not a Telegram update", status=400)
            if update is None or not isinstance(data.get("update_id"), int):
                return response.text("not a Telegram update", status=400)
            chat = update.effective_chat
            if chat is None or chat.type != "private":
                return response.text("", status=200)  # groups are for staff (issue 5)
            update_id = str(update.update_id)
            try:
                claim = await self.once.claim(update_id)
            except (RedisError, OSError):
                return await self._degraded(update, chat.id)
            if claim == IN_PROGRESS:
                # Telegram resends until it gets a 2xx: a dead process's update comes back.
                return response.text("being processed", status=503)
            if claim == DONE:
                return response.text("", status=200)
            text = await self._text_of(update)
            if text is None:
                await self.once.done(update_id)
                return response.text("", status=200)
            sender_id = f"{SENDER_PREFIX}{chat.id}"
            try:
                # A member of a circle of care answering the ladder: not the dialogue's.
                reply = await circle_answers.contact_reply(
                    self.redis, self.prefix, sender_id, text, clock.now())
            except (RedisError, OSError):
                return await self._degraded(update, chat.id)
            if reply is not None:
                await self.once.done(update_id)
                return response.json({"method": "sendMessage", "chat_id": chat.id,
                                      "text": reply})
            # A risk must not wait for the dialogue of other people's messages.
            await escalate_on_arrival(self.redis, self.prefix, f"{SENDER_PREFIX}{chat.id}",
                                      text, self.name(), f"tg-{update.update_id}")
            try:
                await publish_if_taken_over(self.redis, self.prefix,
                                            f"{SENDER_PREFIX}{chat.id}", text, self.name())
                await on_new_message(
                    UserMessage(
                        text,
                        self.get_output_channel(),
                        f"{SENDER_PREFIX}{chat.id}",
                        input_channel=self.name(),
                        message_id=f"tg-{update.update_id}",
                    )
                )
            except Exception:
                if not await self._spool().redis_answers():
                    return await self._degraded(update, chat.id)
                await self.once.release(update_id)
                logger.exception("telegram update %s could not be processed",
                                 update.update_id)
                return response.text("try again", status=503)
            await self.once.done(update_id)
            self._spool().replay_soon(self._kept_delivery(on_new_message))
            return response.text("", status=200)

        return telegram


async def set_webhook(settings: TelegramSettings) -> bool:
    """Register the webhook, with its secret token, at the Bot API."""
    bot = await get_bot(settings)
    return await bot.set_webhook(
        url=settings.webhook_url,
        secret_token=settings.secret,
        allowed_updates=["message", "edited_message", "callback_query"],
    )
