"""Telegram out, through python-telegram-bot: the part of the channel without Rasa.

The dialogue's answers go through ``channels.telegram.TelegramOutput`` (this
sender as Rasa's output channel); the worker and the console send through this
module directly (``bot/delivery.py``), so the console runs in its own
environment without Rasa (README, "Dependencies").

PTB's ``Bot`` (``base_url`` from ``TELEGRAM_API_URL``), inline keyboards for
buttons, at most one message a second per chat and thirty a second overall,
``RetryAfter`` honoured, a request lost on the way (``NetworkError``: a kept-alive
connection the other end had just closed, a gateway error, a timeout) tried again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, RetryAfter, TelegramError

from bot.core.config import load_settings

logger = logging.getLogger(__name__)

# httpx logs every request URL at INFO, and a Bot API URL holds the bot token
# (https://api.telegram.org/bot<token>/sendMessage): those loggers only speak
# up for warnings, at any level we ship.
for _noisy in ("httpx", "httpcore"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

SENDER_PREFIX = "telegram:"
WEBHOOK_PATH = "/webhooks/telegram/webhook"
MAX_TEXT = 4000


@dataclass(frozen=True)
class TelegramSettings:
    """The Telegram channel's settings, from the environment."""

    token: str
    secret: str
    api_url: str
    public_url: str

    @property
    def enabled(self) -> bool:
        """Whether a token and a webhook secret are there."""
        return bool(self.token and self.secret)

    @property
    def webhook_url(self) -> str:
        """The URL Telegram is told to call."""
        return f"{self.public_url}{WEBHOOK_PATH}"

    @classmethod
    def from_env(cls) -> "TelegramSettings":
        """Read the settings once."""
        settings = load_settings()
        return cls(token=settings.telegram.token, secret=settings.telegram.secret,
                   api_url=settings.telegram.api_url, public_url=settings.public_url)


_BOTS: Dict[str, Bot] = {}
# Waits before trying a lost request again (seconds); then the error stands.
NETWORK_RETRY_WAITS = (0.2, 1.0, 3.0)


async def get_bot(settings: TelegramSettings) -> Bot:
    """One initialised Bot per process and token, made in the running loop."""
    bot = _BOTS.get(settings.token)
    if bot is None:
        bot = Bot(settings.token, base_url=f"{settings.api_url}/bot")
        await bot.initialize()
        _BOTS[settings.token] = bot
    return bot


class _Pacer:
    """At most one message a second per chat and thirty a second overall."""

    def __init__(self, per_chat: float = 1.0, overall: float = 30.0) -> None:
        self.per_chat, self.overall = per_chat, overall
        self._next: Dict[str, float] = {}
        self._lock: Optional[asyncio.Lock] = None

    async def wait(self, chat_id: str) -> None:
        """Wait for the chat's next slot."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            loop = asyncio.get_running_loop()
            now = loop.time()
            slot = max(now, self._next.get(chat_id, now), self._next.get("*", now))
            self._next[chat_id] = slot + 1.0 / self.per_chat
            self._next["*"] = slot + 1.0 / self.overall
        if slot > now:
            await asyncio.sleep(slot - now)


_PACER = _Pacer()


async def answer_button(settings: TelegramSettings, query_id: str) -> bool:
    """Tell Telegram a button press was received (its spinner stops); False if it could not."""
    bot = await get_bot(settings)
    for wait in NETWORK_RETRY_WAITS + (None,):
        try:
            await bot.answer_callback_query(query_id)
            return True
        except NetworkError as error:
            if wait is None:
                logger.warning("answer_callback_query failed: %s", type(error).__name__)
                return False
            await asyncio.sleep(wait)
        except TelegramError as error:
            logger.warning("answer_callback_query refused: %s", type(error).__name__)
            return False
    return False


class TelegramSender:
    """Sends messages to a Telegram chat."""

    @classmethod
    def name(cls) -> Text:
        """Channel name."""
        return "telegram"

    def __init__(self, settings: TelegramSettings) -> None:
        """Keep the settings; the Bot is made in the running loop."""
        self.settings = settings

    @staticmethod
    def _chat(recipient_id: Text) -> Text:
        return (
            recipient_id[len(SENDER_PREFIX):]
            if recipient_id.startswith(SENDER_PREFIX)
            else recipient_id
        )

    async def _send(self, recipient_id: Text, text: Text, markup: Any = None) -> None:
        chat_id = self._chat(recipient_id)
        bot = await get_bot(self.settings)
        lost = iter(NETWORK_RETRY_WAITS)
        for attempt in range(1, 5 + len(NETWORK_RETRY_WAITS)):
            await _PACER.wait(chat_id)
            try:
                await bot.send_message(chat_id=chat_id, text=text[:MAX_TEXT],
                                       reply_markup=markup)
                return
            except RetryAfter as error:
                wait = error.retry_after
                seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else wait
                logger.warning("telegram flood control: retry %d in %ss", attempt, seconds)
                await asyncio.sleep(float(seconds))
            except NetworkError as error:
                # A timeout may hide a message that did arrive: sent twice is
                # better than a reply (a helpline number) never sent.
                pause = next(lost, None)
                if pause is None:
                    raise
                logger.warning("telegram request lost (%s): retry %d in %ss",
                               type(error).__name__, attempt, pause)
                await asyncio.sleep(pause)
        raise TelegramError("message not sent after flood-control retries")

    async def send_text_message(
        self, recipient_id: Text, text: Text, **kwargs: Any
    ) -> None:
        """Send a text."""
        await self._send(recipient_id, text)

    async def send_text_with_buttons(
        self,
        recipient_id: Text,
        text: Text,
        buttons: List[Dict[Text, Any]],
        **kwargs: Any,
    ) -> None:
        """Send a text with an inline keyboard, one button a row."""
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(b["title"], callback_data=str(b["payload"])[:64])]
             for b in buttons]
        )
        await self._send(recipient_id, text, markup)
