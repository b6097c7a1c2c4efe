"""SMS through Twilio Programmable Messaging: a hardened Rasa channel.

Inbound: ``POST /webhooks/sms/webhook`` (form-encoded, as Twilio sends it). The
``X-Twilio-Signature`` is checked against the public URL Twilio called
(``PUBLIC_URL``); anything unsigned or forged gets 403 and never reaches Rasa.
A message is processed once per ``MessageSid`` (Twilio may retry; a processed
sid is remembered 30 days, so a signed request replayed later is ignored), and the
sender id is ``sms:<E.164 number>`` so that any process can answer the person.

Outbound: the Twilio REST API through twilio's asyncio client (created inside
the running loop), GSM-7 text cut at sentence boundaries, buttons as numbered
choices whose digits map back to the payloads.

Configured from the environment: ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``,
``TWILIO_FROM_NUMBER``, ``TWILIO_API_URL`` (tests and staging), ``PUBLIC_URL``,
``SMS_MAX_SEGMENTS`` (default 3). Without credentials the channel is off: its
webhook answers 503 and the rest of the service runs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import unicodedata
from urllib.parse import parse_qs
from typing import Any, Awaitable, Callable, Dict, Optional, Text
from xml.sax.saxutils import escape as xml_escape

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from redis.exceptions import RedisError
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.checkins import circle_answers, ladder
from bot.checkins.missed import raise_no_news
from bot.core import clock
from bot.core.keys import Keys, SmsKeys
from bot.core.records import as_person
from bot.core.phone import mask, to_e164
from channels.common import (
    DONE, IN_PROGRESS, ProcessedOnce, SpoolReplayer, answer_without_redis,
    channel_redis, escalate_on_arrival, publish_if_taken_over, typed_text, yes_no_payload,
)
from bot.core.sms_text import to_gsm7
from channels.sms_format import payload_for_reply
from channels.sms_send import SENDER_PREFIX, SmsSender, SmsSettings

logger = logging.getLogger(__name__)

# Carrier-style keywords, matched on the whole message (accents and case aside),
# so that no classifier can miss them.
STOP_WORDS = {"stop", "arret", "stop sms", "stopsms", "arreter", "desabonner",
              "desinscrire", "unsubscribe", "stop all", "stopall", "fin", "end"}
START_WORDS = {"start", "reprendre", "unstop", "restart"}
MEDIA_PAYLOAD = "/media_received"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MAX_BODY = 5000
# A processed MessageSid is remembered this long (one small key each): a signed
# request replayed later is answered and ignored. Twilio's signature carries no
# date, so the short claim of ProcessedOnce (a day) is not enough on its own.
SEEN_TTL = 30 * 86400


class SmsOutput(SmsSender, OutputChannel):
    """The SMS sender as Rasa's output channel: the dialogue's answers."""


class SmsInput(InputChannel):
    """Receives SMS from Twilio's webhook."""

    @classmethod
    def name(cls) -> Text:
        """Channel name: the webhook is /webhooks/sms/webhook."""
        return "sms"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "SmsInput":
        """Settings come from the environment, not from credentials.yml."""
        return cls(SmsSettings.from_env())

    def __init__(self, settings: SmsSettings) -> None:
        """Connect to Redis for de-duplication and button memory."""
        self.settings = settings
        self.redis, self.prefix = channel_redis()
        self.once = ProcessedOnce(self.redis, self.prefix, "sms:sid")
        self.validator = RequestValidator(settings.auth_token) if settings.enabled else None
        if settings.enabled:
            logger.info("SMS channel on (Twilio API %s)", settings.api_url)
        else:
            logger.warning("SMS channel off: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN "
                           "or TWILIO_FROM_NUMBER missing")

    def get_output_channel(self) -> Optional[OutputChannel]:
        """Lets Rasa send proactive messages (trigger_intent) by SMS."""
        if not self.settings.enabled:
            return None
        return SmsOutput(self.settings, self.redis, self.prefix)

    @staticmethod
    def _form(request: Request) -> Optional[Dict[str, str]]:
        """The form fields, blank ones kept (they count in Twilio's signature)."""
        try:
            parsed = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
        except (UnicodeDecodeError, ValueError):
            return None
        return {k: v[0] for k, v in parsed.items()}

    async def _record_delivery(self, params: Dict[str, str]) -> None:
        """Keep the last delivery status; an undelivered SMS marks the person."""
        status = params.get("MessageStatus") or params.get("SmsStatus") or ""
        number = to_e164(params.get("To"))
        sid = params.get("MessageSid") or ""
        if not number or not sid:
            return
        sender_id = f"{SENDER_PREFIX}{number}"
        await self.redis.hset(SmsKeys(self.prefix).status(sid),
                              mapping={"status": status, "to": sender_id,
                                       "error_code": params.get("ErrorCode", "")})
        await self.redis.expire(SmsKeys(self.prefix).status(sid), 30 * 86400)
        person = Keys(self.prefix).person(sender_id)
        if status in ("undelivered", "failed"):
            await self.redis.hset(person, mapping={
                "unreachable": "1", "unreachable_since": f"{time.time():.3f}",
                "last_delivery_error": params.get("ErrorCode", "")})
            logger.warning("sms to %s %s (error %s)", mask(number), status,
                           params.get("ErrorCode", ""))
            fields = as_person({k.decode(): v.decode() for k, v in
                                (await self.redis.hgetall(person)).items()})
            if fields.get("status") in ("active", "paused", "pending"):
                await raise_no_news(self.redis, self.prefix, sender_id, fields,
                                    f"undelivered:{params.get('ErrorCode', '')}",
                                    time.time())
                # The person cannot be reached by SMS: their circle is asked now.
                await ladder.ask_circle_now(self.redis, self.prefix, sender_id, fields,
                                            clock.now(), "undelivered")
        elif status == "delivered":
            await self.redis.hdel(person, "unreachable", "unreachable_since",
                                  "last_delivery_error")

    def _signed(self, request: Request, params: Dict[str, str]) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or self.validator is None:
            return False
        url = f"{self.settings.public_url}{request.path}"
        if request.query_string:
            url = f"{url}?{request.query_string}"
        return self.validator.validate(url, params, signature)

    def seen_key(self, sid: str) -> str:
        """Set once a message is processed, for SEEN_TTL: it never runs twice."""
        return SmsKeys(self.prefix).seen(sid)

    @property
    def pending_key(self) -> str:
        """Messages received and not yet answered, by MessageSid."""
        return SmsKeys(self.prefix).pending

    async def _deliver(self, on_new_message, sid: str, sender_id: str, text: str) -> None:
        await publish_if_taken_over(self.redis, self.prefix, sender_id, text, self.name())
        await on_new_message(
            UserMessage(
                text,
                self.get_output_channel(),
                sender_id,
                input_channel=self.name(),
                message_id=sid,
            )
        )
        async with self.redis.pipeline(transaction=True) as pipe:
            self.once.done_in(pipe, sid)
            pipe.set(self.seen_key(sid), "1", ex=SEEN_TTL)
            pipe.hdel(self.pending_key, sid)
            await pipe.execute()

    def _degraded(self, sid: str, sender_id: str, params: Dict[str, str]) -> HTTPResponse:
        """Redis is down: answer in the webhook's own TwiML, keep the message on disk."""
        text = typed_text((params.get("Body") or "")[:MAX_BODY])
        text = self._keyword_payload(text) or text
        reply = answer_without_redis(sender_id, text, self.name(), sid)
        logger.critical("sms sid=%s answered without redis", sid)
        return self._twiml(reply)

    @staticmethod
    def _twiml(reply: str) -> HTTPResponse:
        """An answer in the webhook's own TwiML."""
        body = xml_escape(to_gsm7(reply))
        return response.text(f'<?xml version="1.0" encoding="UTF-8"?><Response>'
                             f"<Message>{body}</Message></Response>",
                             content_type="text/xml")

    async def _circle_answer(self, sid: str, sender_id: str, text: str) -> Optional[str]:
        """A member of a circle of care answering the ladder (OK, AIDE, OUI, STOP):
        their reply, done once; None when the message is the dialogue's.
        """
        reply = await circle_answers.contact_reply(self.redis, self.prefix, sender_id, text,
                                                   clock.now())
        if reply is not None:
            async with self.redis.pipeline(transaction=True) as pipe:
                self.once.done_in(pipe, sid)
                pipe.set(self.seen_key(sid), "1", ex=SEEN_TTL)
                await pipe.execute()
        return reply

    def _spool(self) -> SpoolReplayer:
        if getattr(self, "_replayer", None) is None:
            self._replayer = SpoolReplayer(self.redis, self.prefix, self.name(), self.once)
        return self._replayer

    def _kept_delivery(self, on_new_message) -> Callable[[str, str, str], Awaitable[Any]]:
        return lambda sid, sender, text: self._deliver(on_new_message, sid, sender, text)

    def _replay_soon(self, on_new_message) -> None:
        """At most once a minute, answer messages a dead process left behind."""
        loop = asyncio.get_running_loop()
        if loop.time() < getattr(self, "_next_replay", 0.0):
            return
        self._next_replay = loop.time() + 60
        loop.create_task(self.replay_pending(on_new_message))

    async def replay_pending(self, on_new_message, older_than: float = 60.0) -> int:
        """Process messages received over ``older_than`` seconds ago and never answered."""
        replayed = 0
        for sid, raw in (await self.redis.hgetall(self.pending_key)).items():
            sid = sid.decode()
            try:
                entry = json.loads(raw)
            except ValueError:
                await self.redis.hdel(self.pending_key, sid)
                continue
            if time.time() - float(entry.get("received", 0)) < older_than:
                continue
            claimed = await self.redis.set(SmsKeys(self.prefix).replay(sid), "1",
                                           nx=True, ex=300)
            if not claimed:
                continue
            logger.warning("sms sid=%s replayed after a failure", sid)
            await self._deliver(on_new_message, sid, entry["sender_id"], entry["text"])
            replayed += 1
        return replayed

    @staticmethod
    def _keyword_payload(text: str) -> Optional[str]:
        folded = "".join(
            c for c in unicodedata.normalize("NFKD", text.strip().lower())
            if not unicodedata.combining(c)
        ).strip(" .!")
        if folded in STOP_WORDS:
            return "/opt_out"
        if folded in START_WORDS:
            return "/opt_in"
        return None

    async def _map_reply(self, sender_id: str, text: str) -> str:
        raw = await self.redis.get(SmsKeys(self.prefix).buttons(sender_id))
        if not raw:
            return text
        try:
            buttons = json.loads(raw)
        except ValueError:
            return text
        return payload_for_reply(text, buttons) or yes_no_payload(text, buttons) or text

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """The webhook Twilio calls."""
        sms = Blueprint("sms_webhook", __name__)

        @sms.listener("after_server_start")
        async def replay_on_start(app, loop) -> None:
            if self.settings.enabled:
                self._replay_soon(on_new_message)
                loop.create_task(self._spool().watch(self._kept_delivery(on_new_message)))

        @sms.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.enabled else "off"})

        @sms.route("/status", methods=["POST"])
        async def delivery_status(request: Request) -> HTTPResponse:
            if not self.settings.enabled:
                return response.text("SMS channel off", status=503)
            params = self._form(request)
            if params is None:
                return response.text("form-encoded body expected", status=400)
            if not self._signed(request, params):
                return response.text("forbidden", status=403)
            await self._record_delivery(params)
            return response.text("", status=204)

        @sms.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.settings.enabled:
                return response.text("SMS channel off", status=503)
            content_type = request.headers.get("content-type", "")
            if "application/x-www-form-urlencoded" not in content_type:
                return response.text("form-encoded body expected", status=415)
            params = self._form(request)
            if params is None:
                return response.text("malformed body", status=400)
            if not self._signed(request, params):
                logger.warning("sms webhook: bad or missing signature")
                return response.text("forbidden", status=403)
            sid = params.get("MessageSid") or params.get("SmsSid") or ""
            number = to_e164(params.get("From"))
            if not sid or not number:
                return response.text("MessageSid and From expected", status=400)
            sender_id = f"{SENDER_PREFIX}{number}"
            try:
                if await self.redis.exists(self.seen_key(sid)):
                    # Processed already (a replay, or Twilio retrying late): never twice.
                    logger.warning("sms sid=%s already processed: not processed again", sid)
                    return response.text(EMPTY_TWIML, content_type="text/xml")
                claim = await self.once.claim(sid)
            except (RedisError, OSError):
                return self._degraded(sid, sender_id, params)
            if claim == IN_PROGRESS:
                return response.text("being processed", status=503)
            if claim == DONE:
                return response.text(EMPTY_TWIML, content_type="text/xml")
            self._replay_soon(on_new_message)
            self._spool().replay_soon(self._kept_delivery(on_new_message))
            text = typed_text((params.get("Body") or "")[:MAX_BODY])
            try:
                circle_reply = await self._circle_answer(sid, sender_id, text)
                if circle_reply is not None:
                    logger.info("sms sid=%s: a circle of care's answer", sid)
                    return self._twiml(circle_reply)
                text = self._keyword_payload(text) or await self._map_reply(sender_id, text)
            except (RedisError, OSError):
                return self._degraded(sid, sender_id, params)
            if not text.strip() and params.get("NumMedia", "0") not in ("", "0"):
                logger.info("sms sid=%s: media only, not read", sid)
                text = MEDIA_PAYLOAD
            # A risk must not wait for the dialogue of other people's messages.
            await escalate_on_arrival(self.redis, self.prefix, sender_id, text,
                                      self.name(), sid)
            try:
                # Kept until answered: a process killed mid-way leaves it for replay.
                await self.redis.hset(self.pending_key, sid, json.dumps(
                    {"sender_id": sender_id, "text": text, "received": time.time()}))
                await self._deliver(on_new_message, sid, sender_id, text)
            except Exception:
                if not await self._spool().redis_answers():
                    # Redis went away mid-way: answer from here, keep it on disk.
                    return self._degraded(sid, sender_id, params)
                # Let Twilio retry: the message must not be lost.
                await self.once.release(sid)
                logger.exception("sms sid=%s could not be processed", sid)
                return response.text("try again", status=503)
            logger.info("sms received sid=%s from=%s", sid, mask(number))
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return sms
