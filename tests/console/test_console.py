"""The listener console over HTTP: log-in, roles, CSRF, escaping, the API and its file.

The console runs in-process on the real Redis under a private key prefix; the
takeover's two outside calls (Rasa's tracker events, trigger_intent) and the
channel outputs are recorded instead of sent (the browser test in
test_console_browser.py drives the real ones).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo
import uuid
from typing import Any, Dict, List

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

from bot.safety import cases
from bot.safety import roster as roster_mod
from bot.console.app import ROUTES, make_app
from bot.console.store import ConsoleStore
from bot.safety.escalation import EscalationKeys
from bot.people.registry import Keys
from bot.safety.takeover import Takeover
from tests.support.paths import ROOT
from tests.support.settings import TEST_REDIS_URL

PASSWORD = "correct horse battery"


class Recorder:
    """Channel outputs that remember what they were asked to send."""

    def __init__(self) -> None:
        self.sent: List[tuple] = []

    def output(self, channel: str) -> Any:
        recorder = self

        class _Out:
            async def send_text_message(self, recipient: str, text: str) -> None:
                recorder.sent.append((recipient, text))
        return _Out()


class RecordingTakeover(Takeover):
    """The real takeover logic; Rasa's side recorded."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.events: List[tuple] = []

    async def _events(self, person_id: str, events: List[Dict[str, Any]]) -> None:
        self.events.append((person_id, [e["event"] for e in events]))

    async def _trigger(self, person_id: str, intent: str) -> None:
        self.events.append((person_id, [intent]))


@pytest.fixture
async def world(redis_client, tmp_path, monkeypatch):
    prefix = f"{uuid.uuid4().hex[:8]}c"
    roster = tmp_path / "roster.yml"
    roster.write_text((ROOT / "bot" / "resources" / "roster.yml").read_text(encoding="utf-8"),
                      encoding="utf-8")
    monkeypatch.setenv("ROSTER_FILE", str(roster))
    outputs = Recorder()
    takeover = RecordingTakeover(redis_client, prefix, "http://127.0.0.1:9", outputs)
    app = make_app(redis_client, prefix, takeover)
    store = ConsoleStore(redis_client, prefix)
    for login, role in (("ana", "listener"), ("sam", "social_worker"), ("ada", "admin"),
                        ("leo", "listener")):
        await store.add_user(login, f"{login.title()} Martin", role, PASSWORD)
    server = TestServer(app)
    await server.start_server()
    yield {"prefix": prefix, "redis": redis_client, "server": server, "store": store,
           "takeover": takeover, "outputs": outputs, "roster": roster}
    await server.close()
    async for key in redis_client.scan_iter(match=f"{prefix}:*", count=1000):
        await redis_client.delete(key)


async def client_for(world: Dict[str, Any], login: str = "", password: str = PASSWORD
                     ) -> TestClient:
    """A browser-like client, logged in as ``login`` (anonymous when empty)."""
    client = TestClient(world["server"])
    await client.start_server()
    client.csrf = ""
    if login:
        page = await client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
        reply = await client.post("/login", data={"csrf": token, "login": login,
                                                  "password": password, "next": "/queue"},
                                  allow_redirects=False)
        assert reply.status == 302, await reply.text()
        queue = await client.get("/queue")
        client.csrf = re.search(r'name="csrf-token" content="([^"]+)"',
                                await queue.text()).group(1)
    return client


async def add_person(world, number: str, first_name: str, **fields: str) -> str:
    person_id = f"sms:{number}"
    await world["redis"].hset(Keys(world["prefix"]).person(person_id), mapping=dict(
        {"first_name": first_name, "channel": "sms", "status": "active",
         "timezone": "Europe/Paris"}, **fields))
    await world["redis"].sadd(Keys(world["prefix"]).index, person_id)
    return person_id


async def open_case(world, person_id: str, level: str = "critical", category: str = "suicide",
                    text: str = "je veux en finir") -> str:
    """An escalation as the tracker store writes it, then its case, as the worker does."""
    redis, prefix = world["redis"], world["prefix"]
    escalation_id = uuid.uuid4().hex
    now = time.time()
    await redis.hset(EscalationKeys(prefix).record(escalation_id), mapping={
        "id": escalation_id, "sender_id": person_id, "level": level, "category": category,
        "text": text, "status": "pending"})
    await redis.zadd(EscalationKeys(prefix).by_person(person_id), {escalation_id: now})
    await redis.rpush(f"{prefix}:trk:{person_id}:cur", json.dumps(
        {"event": "user", "text": text, "timestamp": now,
         "parse_data": {"intent": {"name": "risk"}}}))
    _, case_id, _ = await cases.open_case(redis, prefix, {
        "id": escalation_id, "sender_id": person_id, "level": level, "category": category,
        "channel": "sms", "created_ts": str(now)}, now)
    await redis.hset(EscalationKeys(prefix).record(escalation_id), "case_id", case_id)
    return case_id


def concrete(path: str) -> str:
    return path.replace("{case_id}", "0000000000000-abcdef12").replace(
        "{ref}", "0123456789abcdef0123")


# -- refusals ------------------------------------------------------------------------
async def test_every_page_and_api_route_refuses_an_anonymous_request(world):
    client = await client_for(world)
    protected = [(m, p) for m, p, _, needed in ROUTES if needed]
    assert len(protected) > 25
    for method, path in protected:
        reply = await client.request(method, concrete(path), allow_redirects=False,
                                     data={"csrf": "x"})
        if path.startswith("/api/"):
            assert reply.status == 401, (method, path)
            assert (await reply.json())["error"] == "anonymous"
        else:
            assert reply.status == 302, (method, path)
            assert reply.headers["Location"].startswith("/login?next=")
    await client.close()


async def test_a_form_or_api_call_without_its_csrf_token_gets_403(world):
    person = await add_person(world, "+33611110001", "Jeanne")
    case_id = await open_case(world, person)
    client = await client_for(world, "ana")
    for data in ({}, {"csrf": "forged"}):
        reply = await client.post(f"/cases/{case_id}/claim", data=data, allow_redirects=False)
        assert reply.status == 403
        assert "Formulaire expiré" in await reply.text()
    reply = await client.post(f"/api/cases/{case_id}/claim", json={})
    assert reply.status == 403 and (await reply.json())["error"] == "csrf"
    assert (await cases.get_case(world["redis"], world["prefix"], case_id))["status"] == "pending"
    assert world["outputs"].sent == []
    # The log-in form is protected too (no log-in CSRF).
    anonymous = await client_for(world)
    reply = await anonymous.post("/login", data={"login": "ana", "password": PASSWORD},
                                 allow_redirects=False)
    assert reply.status == 403
    await client.close()
    await anonymous.close()


async def test_roles_limit_what_each_member_of_staff_sees(world):
    listener = await client_for(world, "ana")
    assert (await listener.get("/queue")).status == 200
    for path in ("/people", "/api/people", "/audit", "/api/audit", "/roster"):
        reply = await listener.get(path, allow_redirects=False)
        assert reply.status == 403, path
    worker = await client_for(world, "sam")
    assert (await worker.get("/people")).status == 200
    assert (await worker.get("/api/audit")).status == 403
    reply = await worker.post("/api/people/0123456789abcdef0123/erase",
                              headers={"X-CSRF-Token": worker.csrf})
    assert reply.status == 403
    admin = await client_for(world, "ada")
    assert (await admin.get("/api/audit")).status == 200
    refused = [e for e in (await (await admin.get("/api/audit")).json())["entries"]
               if e["action"] == "refused"]
    assert {e["login"] for e in refused} == {"ana", "sam"}
    for client in (listener, worker, admin):
        await client.close()


async def test_wrong_passwords_lock_the_account_and_log_in_rotates_the_session(world):
    client = await client_for(world)
    page = await client.get("/login")
    # No session before log-in (nothing to fix on the visitor: the form's token is
    # bound to a cookie of its own, see test_console_security.py).
    assert "lien_session" not in client.session.cookie_jar.filter_cookies(
        client.make_url("/"))
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
    for _ in range(5):
        reply = await client.post("/login", data={"csrf": token, "login": "ana",
                                                  "password": "wrong password!"})
        assert reply.status == 401
        assert "incorrect" in await reply.text()
    reply = await client.post("/login", data={"csrf": token, "login": "ana",
                                              "password": PASSWORD}, allow_redirects=False)
    assert reply.status == 401  # locked for 15 minutes, even with the right password
    await world["redis"].delete(f"{world['prefix']}:console:failures:ana")
    reply = await client.post("/login", data={"csrf": token, "login": "ana",
                                              "password": PASSWORD}, allow_redirects=False)
    assert reply.status == 302 and reply.headers["Location"] == "/queue"
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["lien_session"]
    assert await world["redis"].exists(f"{world['prefix']}:console:session:{cookie.value}")
    assert "httponly" in reply.headers["Set-Cookie"].lower()
    assert "samesite=strict" in reply.headers["Set-Cookie"].lower()
    stored = await world["redis"].hget(f"{world['prefix']}:console:user:ana", "password")
    assert stored.startswith(b"$argon2id$") and PASSWORD.encode() not in stored
    # Log out ends the session on the server, not only the cookie.
    csrf = re.search(r'name="csrf-token" content="([^"]+)"',
                     await (await client.get("/queue")).text()).group(1)
    await client.post("/logout", data={"csrf": csrf}, allow_redirects=False)
    assert not await world["redis"].exists(f"{world['prefix']}:console:session:{cookie.value}")
    await client.close()


async def test_a_message_with_html_or_script_is_shown_as_text(world):
    person = await add_person(world, "+33611110002", "<b>Jo</b>")
    evil = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    case_id = await open_case(world, person, text=evil)
    await world["redis"].xadd(f"{world['prefix']}:live:{person}",
                              {"from": "person", "text": evil, "ts": str(time.time())})
    client = await client_for(world, "ana")
    page = await (await client.get(f"/cases/{case_id}")).text()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert html.escape(evil, quote=False) in page or "&lt;script&gt;" in page
    assert "<b>Jo</b>" not in page and "&lt;b&gt;Jo&lt;/b&gt;" in page
    queue = await client.get("/queue")
    assert "<b>Jo</b>" not in await queue.text()
    assert "script-src 'self'" in queue.headers["Content-Security-Policy"]
    await client.close()


# -- the queue, a case, the API --------------------------------------------------------
async def test_the_queue_puts_risk_first_and_never_shows_a_full_number(world):
    older = await add_person(world, "+33611110003", "Paul")
    newer = await add_person(world, "+33611110004", "Rose")
    watch = await open_case(world, older, level="watch", category="no_news")
    critical = await open_case(world, newer, level="critical", category="suicide")
    client = await client_for(world, "ana")
    reply = await client.get("/api/queue")
    body = await reply.text()
    rows = json.loads(body)["cases"]
    assert [r["id"] for r in rows] == [critical, watch]
    assert rows[0]["first_name"] == "Rose" and rows[0]["contact"].endswith("04")
    assert "611110004" not in body and "611110003" not in body
    assert "en finir" not in body  # the queue never carries the message
    page = await (await client.get("/queue")).text()
    assert page.index("Rose") < page.index("Paul") and "611110004" not in page
    await client.close()


async def test_a_listener_claims_replies_hands_over_and_resolves(world):
    person = await add_person(world, "+33611110005", "Lucie")
    case_id = await open_case(world, person)
    ana = await client_for(world, "ana")
    headers = {"X-CSRF-Token": ana.csrf}
    reply = await ana.post(f"/api/cases/{case_id}/reply", json={"text": "Bonjour"},
                           headers=headers)
    assert reply.status == 409  # not claimed yet
    reply = await ana.post(f"/api/cases/{case_id}/claim", headers=headers)
    assert reply.status == 200 and (await reply.json())["ok"]
    assert world["outputs"].sent[0][0] == person
    assert world["outputs"].sent[0][1].startswith("Ana, de l'équipe Lien")
    assert (person, ["pause"]) in world["takeover"].events
    # Someone else cannot take it or write in it.
    leo = await client_for(world, "leo")
    reply = await leo.post(f"/api/cases/{case_id}/claim", headers={"X-CSRF-Token": leo.csrf})
    assert reply.status == 409
    reply = await leo.post(f"/api/cases/{case_id}/reply", json={"text": "x"},
                           headers={"X-CSRF-Token": leo.csrf})
    assert reply.status == 409
    reply = await ana.post(f"/api/cases/{case_id}/reply",
                           json={"text": "Je suis là, on prend le temps."}, headers=headers)
    assert reply.status == 200
    assert world["outputs"].sent[-1] == (person, "Je suis là, on prend le temps.")
    live = await (await ana.get(f"/api/cases/{case_id}/messages")).json()
    assert [m["from"] for m in live["messages"]] == ["listener", "listener"]
    # Hand over to Léo, who can now write.
    reply = await ana.post(f"/api/cases/{case_id}/release", json={"to": "leo"},
                           headers=headers)
    assert reply.status == 200
    reply = await leo.post(f"/api/cases/{case_id}/reply", json={"text": "Léo ici."},
                           headers={"X-CSRF-Token": leo.csrf})
    assert reply.status == 200
    # Resolve with an outcome and an orientation; bad values are refused.
    reply = await leo.post(f"/api/cases/{case_id}/resolve",
                           json={"outcome": "whatever"}, headers={"X-CSRF-Token": leo.csrf})
    assert reply.status == 400
    reply = await leo.post(f"/api/cases/{case_id}/resolve",
                           json={"outcome": "oriented", "orientation": "ccas"},
                           headers={"X-CSRF-Token": leo.csrf})
    assert reply.status == 200
    case = await cases.get_case(world["redis"], world["prefix"], case_id)
    assert (case["status"], case["outcome"], case["orientation"]) == \
        ("resolved", "oriented", "ccas")
    assert (person, ["EXTERNAL_human_done"]) in world["takeover"].events
    assert not await world["redis"].exists(Keys(world["prefix"]).takeover(person))
    rows = (await (await ana.get("/api/queue")).json())["cases"]
    assert case_id not in [r["id"] for r in rows]
    # The audit log says who did what, without the words written.
    admin = await client_for(world, "ada")
    entries = (await (await admin.get("/api/audit")).json())["entries"]
    actions = [(e["login"], e["action"]) for e in entries if e["target"] == case_id]
    for expected in (("ana", "claim"), ("leo", "claim_refused"), ("ana", "reply"),
                     ("ana", "hand_over"), ("leo", "reply"), ("leo", "resolve")):
        assert expected in actions
    dump = json.dumps(entries)
    assert "on prend le temps" not in dump and "611110005" not in dump
    for client in (ana, leo, admin):
        await client.close()


async def test_form_posts_redirect_back_with_the_outcome_in_french(world):
    person = await add_person(world, "+33611110006", "Marc")
    case_id = await open_case(world, person)
    client = await client_for(world, "ana")
    reply = await client.post(f"/cases/{case_id}/claim", data={"csrf": client.csrf})
    page = await reply.text()
    assert reply.url.path == f"/cases/{case_id}" and "Vous avez pris le cas" in page
    reply = await client.post(f"/cases/{case_id}/reply", data={"csrf": client.csrf,
                                                               "text": "   "})
    assert "Message vide" in await reply.text()
    tomorrow = time.strftime("%Y-%m-%d", time.localtime(time.time() + 86400))
    reply = await client.post(f"/cases/{case_id}/call", data={
        "csrf": client.csrf, "date": tomorrow, "time": "15:30"})
    assert "Appel réservé le" in await reply.text()
    stored = await world["redis"].hget(Keys(world["prefix"]).person(person), "next_call_ts")
    assert stored is not None
    plan = await (await client.get(f"/api/plan?date={tomorrow}")).json()
    (line,) = [c for c in plan["calls"] if c["first_name"] == "Marc"]
    assert line["at"] == "15:30" and line["person_ref"] == await world["store"].ref(person)
    reply = await client.post(f"/cases/{case_id}/call", data={
        "csrf": client.csrf, "date": "2001-01-01", "time": "15:30"})
    assert "Date ou heure invalide" in await reply.text()
    await client.close()


async def test_bad_input_gets_a_clear_answer_never_a_500(world):
    client = await client_for(world, "ana")
    headers = {"X-CSRF-Token": client.csrf}
    reply = await client.get("/api/cases/nope")
    assert reply.status == 404 and (await reply.json())["error"] == "not_found"
    reply = await client.get("/cases/..%2F..%2Fetc")
    assert reply.status == 404
    reply = await client.post("/api/cases/0000000000000-abcdef12/reply",
                              data=b"{not json", headers=dict(
                                  headers, **{"Content-Type": "application/json"}))
    assert reply.status == 400
    reply = await client.post("/api/cases/0000000000000-abcdef12/reply",
                              data={"text": "x" * (400 * 1024)}, headers=headers)
    assert reply.status == 413
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["lien_session"]
    reply = await client.get("/api/queue", headers={
        "Cookie": f"a=b; f5d; lien_session={cookie.value}"})  # a broken Cookie header
    assert reply.status == 200
    reply = await client.get("/api/plan?date=not-a-date")
    assert reply.status == 200  # today, said plainly
    reply = await client.get("/api/cases/0000000000000-abcdef12/messages?after=';DROP")
    assert reply.status == 404
    await client.close()


# -- people, privacy, roster -----------------------------------------------------------
async def test_a_person_page_shows_thirty_days_of_mood_and_the_next_call(world):
    person = await add_person(world, "+33611110007", "Odette", missed="2",
                              next_call_ts=str(time.time() + 86400))
    # The person's day (Paris), not the machine's: they differ after 23:00 UTC.
    today = datetime.now(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%d")
    await world["redis"].hset(Keys(world["prefix"]).mood(person), today, "bad")
    client = await client_for(world, "sam")
    people = await (await client.get("/api/people")).json()
    (row,) = [p for p in people["people"] if p["first_name"] == "Odette"]
    view = await (await client.get(f"/api/people/{row['ref']}")).json()
    assert len(view["moods"]) == 30 and view["moods"][-1] == {"day": today, "mood": "bad"}
    assert view["person"]["missed"] == 2 and view["person"]["next_call_ts"]
    page = await (await client.get(f"/people/{row['ref']}")).text()
    assert page.count("<rect") == 30 and "mood-bad" in page and "suivi : actif" in page
    assert "611110007" not in page
    await client.close()


async def test_one_persons_export_never_holds_another_persons_data(world):
    first = await add_person(world, "+33611110008", "Alice")
    second = await add_person(world, "+33611110009", "Bernard")
    await open_case(world, first, text="alice est triste")
    await open_case(world, second, text="bernard a peur")
    client = await client_for(world, "sam")
    ref = await world["store"].remember(first)
    reply = await client.get(f"/api/people/{ref}/export")
    assert reply.status == 200 and "attachment" in reply.headers["Content-Disposition"]
    dump = await reply.text()
    assert "alice est triste" in dump and "Alice" in dump
    assert "Bernard" not in dump and "bernard a peur" not in dump and "611110009" not in dump
    admin = await client_for(world, "ada")
    reply = await admin.post(f"/api/people/{ref}/erase", headers={"X-CSRF-Token": admin.csrf})
    assert reply.status == 200
    assert not await world["redis"].exists(Keys(world["prefix"]).person(first))
    assert (await client.get(f"/api/people/{ref}/export")).status == 404
    assert await world["redis"].exists(Keys(world["prefix"]).person(second))
    await client.close()
    await admin.close()


async def test_the_roster_is_edited_in_the_console_and_checked_first(world):
    admin = await client_for(world, "ada")
    before = world["roster"].read_text(encoding="utf-8")
    reply = await admin.post("/roster", data={"csrf": admin.csrf, "text": "tiers: [oops"})
    assert reply.status == 400 and "Astreinte refusée" in await reply.text()
    reply = await admin.post("/roster", data={"csrf": admin.csrf,
                                              "text": "tiers:\n  - name: a\n    members: []\n"})
    assert reply.status == 400
    for broken in ("referents:\n  Mme Roy: {}\n", "digest:\n  time: \"25:99\"\n",
                   "digest:\n  timezone: Mars/Olympus\n"):
        reply = await admin.post("/roster", data={"csrf": admin.csrf, "text": before + broken})
        assert reply.status == 400, broken
    assert world["roster"].read_text(encoding="utf-8") == before
    edited = before.replace("Astreinte CCAS", "Astreinte de nuit")
    reply = await admin.post("/roster", data={"csrf": admin.csrf, "text": edited})
    assert reply.status == 200 and "Astreinte enregistrée" in await reply.text()
    assert yaml.safe_load(world["roster"].read_text(encoding="utf-8"))["tiers"][0][
        "members"][0]["name"] == "Astreinte de nuit"
    assert roster_mod.roster()["tiers"][0]["members"][0]["name"] == "Astreinte de nuit"
    # A worker in another process sees the edit too: the roster is read again
    # whenever its file changes (no cache to clear there).
    import os

    later = edited.replace("Astreinte de nuit", "Astreinte du week-end")
    world["roster"].write_text(later, encoding="utf-8")
    stat = os.stat(world["roster"])
    os.utime(world["roster"], ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert roster_mod.roster()["tiers"][0]["members"][0]["name"] == "Astreinte du week-end"
    await admin.close()


# -- the API file, the command ---------------------------------------------------------
def test_the_openapi_file_describes_exactly_the_api_routes():
    spec = yaml.safe_load((ROOT / "bot" / "console" / "openapi.yml").read_text(encoding="utf-8"))
    described = {(method.upper(), path) for path, item in spec["paths"].items()
                 for method in item if method in ("get", "post", "put", "delete", "patch")}
    routed = {(method, path) for method, path, _, _ in ROUTES if path.startswith("/api/")}
    assert described == routed
    app = make_app(None, "x", None)  # type: ignore[arg-type]
    registered = {(r.method, r.resource.canonical) for r in app.router.routes()
                  if r.resource is not None and r.resource.canonical.startswith("/api/")}
    assert registered == routed


def test_users_add_creates_an_argon2_account_from_the_command_line(sync_redis):
    prefix = f"{uuid.uuid4().hex[:8]}u"
    env = {"LIEN_KEY_PREFIX": prefix, "REDIS_URL": TEST_REDIS_URL}
    import os

    def users(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bot", "users", *args], input=stdin,
                              capture_output=True, text=True, cwd=ROOT,
                              env=dict(os.environ, **env), timeout=60)

    done = users("add", "chef", "--role", "admin", "--name", "Claire Dupont",
                 "--password-stdin", stdin="un mot de passe long\n")
    assert done.returncode == 0, done.stderr
    assert "Compte chef (administrateur·rice) prêt" in done.stdout
    assert sync_redis.hget(f"{prefix}:console:user:chef", "password").startswith("$argon2id$")
    again = users("add", "chef", "--role", "admin", "--password-stdin",
                  stdin="un mot de passe long\n")
    assert again.returncode == 2 and "existe déjà" in again.stderr
    short = users("add", "bob", "--role", "listener", "--password-stdin", stdin="court\n")
    assert short.returncode == 2 and "trop court" in short.stderr
    listed = users("list")
    assert "chef" in listed.stdout and "argon" not in listed.stdout
    for key in sync_redis.scan_iter(match=f"{prefix}:*"):
        sync_redis.delete(key)



async def test_a_claim_rasa_cannot_take_is_given_back_to_the_queue(world):
    person = await add_person(world, "+33611110010", "Yves")
    case_id = await open_case(world, person)

    async def rasa_down(person_id, events):
        raise ConnectionError("Rasa unreachable")

    world["takeover"]._events = rasa_down
    client = await client_for(world, "ana")
    reply = await client.post(f"/api/cases/{case_id}/claim",
                              headers={"X-CSRF-Token": client.csrf})
    assert reply.status == 503 and (await reply.json())["error"] == "unavailable"
    case = await cases.get_case(world["redis"], world["prefix"], case_id)
    assert case["status"] == "pending" and not case["claimed_by"]
    assert not await world["redis"].exists(Keys(world["prefix"]).takeover(person))
    assert world["outputs"].sent == []  # the person was not told someone is there
    await client.close()


async def test_a_social_worker_finds_a_person_by_number_without_it_in_any_url(world):
    person = await add_person(world, "+33611110011", "Germaine")
    client = await client_for(world, "sam")
    reply = await client.post("/people/search", data={"csrf": client.csrf,
                                                      "contact": "06 11 11 00 11"})
    assert reply.status == 200 and "Germaine" in await reply.text()
    assert reply.url.path == f"/people/{await world['store'].ref(person)}"
    assert "611110011" not in str(reply.url) and \
        all("611110011" not in str(r.url) for r in reply.history)
    reply = await client.post("/people/search", data={"csrf": client.csrf,
                                                      "contact": "06 99 99 99 99"})
    assert reply.url.path == "/people" and "Introuvable" in await reply.text()
    listener = await client_for(world, "ana")
    reply = await listener.post("/people/search", data={"csrf": listener.csrf,
                                                        "contact": "0611110011"})
    assert reply.status == 403
    admin = await client_for(world, "ada")
    entries = (await (await admin.get("/api/audit")).json())["entries"]
    assert [e["detail"] for e in entries if e["action"] == "search"][:2] == \
        ["aucun résultat", "trouvé"]
    assert "611110011" not in json.dumps(entries)
    for c in (client, listener, admin):
        await c.close()
