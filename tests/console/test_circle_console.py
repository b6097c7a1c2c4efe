"""Silence is a signal, in the console: the watch level, the circle of care, the
ladder's episode on a person's page and on a ``no_news`` case, and "vu en
personne, tout va bien".

Same in-process console on the real Redis as tests/console/test_console.py (its
fixtures are reused). The ladder's episode is written as the worker writes it.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from typing import Any, Dict, List
from zoneinfo import ZoneInfo

from bot.checkins import ladder
from bot.core.keys import CircleKeys, LadderKeys
from bot.people import circle
from bot.people.registry import Keys
from bot.safety import cases
from tests.console.test_console import (add_person, client_for, open_case,  # noqa: F401
                                       world)

PAUL, ANNE = "+33612340001", "+33612340002"


async def _ref(world: Dict[str, Any], person_id: str) -> str:
    return await world["store"].remember(person_id)


async def _audit(admin: Any) -> List[Dict[str, str]]:
    """The audit log, newest first, as an admin reads it (closing a client closes
    the shared test server: every client is closed at the end of its test)."""
    return (await (await admin.get("/api/audit")).json())["entries"]


async def _circle_with_an_open_ladder(world: Dict[str, Any], person_id: str) -> List[str]:
    """Paul and Anne agreed; the ladder asked Paul, then Anne (asked now)."""
    redis, prefix, now = world["redis"], world["prefix"], time.time()
    paul = await circle.add_contact(redis, prefix, person_id, "Paul", "voisin", now - 3600,
                                    phone=PAUL)
    anne = await circle.add_contact(redis, prefix, person_id, "Anne", "fille", now - 3500,
                                    phone=ANNE, hours="07:00-22:00")
    for contact in (paul, anne):
        await circle.set_status(redis, prefix, person_id, contact, "agreed", now - 3000)
    await redis.hset(LadderKeys(prefix).episode(person_id), mapping={
        "episode": f"{now - 7200:.0f}", "status": "open", "step": "circle",
        "checkin_ts": f"{now - 7200:.3f}", "level": "renforcee",
        "started_ts": f"{now - 7200:.3f}", "asked": json.dumps([paul.id, anne.id]),
        "asking": anne.id, "asked_ts": f"{now - 600:.3f}",
        "first_asked_ts": f"{now - 1800:.3f}"})
    return [paul.id, anne.id]


def _no_full_number(text: str, *numbers: str) -> None:
    for number in numbers:
        national = number[3:]  # +33612340001 → 612340001
        assert national not in text and number not in text, number


# -- roles and CSRF --------------------------------------------------------------------
async def test_listeners_cannot_see_or_change_the_circle_or_the_watch_level(world):
    person = await add_person(world, "+33611130001", "Marie")
    ref = await _ref(world, person)
    ana = await client_for(world, "ana")
    for path in (f"/people/{ref}", f"/api/people/{ref}"):
        assert (await ana.get(path, allow_redirects=False)).status == 403, path
    form = {"csrf": ana.csrf, "first_name": "Paul", "relation": "voisin", "phone": PAUL,
            "agreed": "1"}
    for path in (f"/people/{ref}/circle", f"/people/{ref}/watch",
                 f"/people/{ref}/circle/abc123/remove"):
        reply = await ana.post(path, data=dict(form, watch="renforcee"),
                               allow_redirects=False)
        assert reply.status == 403, path
    reply = await ana.post(f"/api/people/{ref}/circle", json=form,
                           headers={"X-CSRF-Token": ana.csrf})
    assert reply.status == 403 and (await reply.json())["error"] == "forbidden"
    # A social worker's form without its token is refused too.
    sam = await client_for(world, "sam")
    reply = await sam.post(f"/people/{ref}/circle", data=dict(form, csrf="forged"),
                           allow_redirects=False)
    assert reply.status == 403 and "Formulaire expiré" in await reply.text()
    assert await circle.contacts(world["redis"], world["prefix"], person) == []
    assert not await world["redis"].hget(Keys(world["prefix"]).person(person), "watch")
    for client in (ana, sam):
        await client.close()


# -- the circle of care ----------------------------------------------------------------
async def test_a_contact_with_a_bad_phone_is_refused_in_french_and_nothing_is_saved(world):
    person = await add_person(world, "+33611130002", "Marie")
    ref = await _ref(world, person)
    sam = await client_for(world, "sam")
    reply = await sam.post(f"/people/{ref}/circle", data={
        "csrf": sam.csrf, "first_name": "Paul", "relation": "voisin",
        "phone": "06 OO 00 01 01", "hours": "08:00-21:00", "agreed": "1"})
    page = await reply.text()
    assert reply.status == 400
    assert "Contact refusé" in page and "numéro de téléphone invalide" in page
    assert 'value="Paul"' in page and "06 OO 00 01 01" not in page  # the number is not echoed
    # Without the person's agreement nothing is saved either, whatever else is right.
    reply = await sam.post(f"/people/{ref}/circle", data={
        "csrf": sam.csrf, "first_name": "Paul", "relation": "voisin", "phone": PAUL})
    assert reply.status == 400 and "la personne est d&#39;accord" in await reply.text()
    # Every problem at once, as JSON too.
    reply = await sam.post(f"/api/people/{ref}/circle", json={
        "first_name": "", "relation": "voisin", "phone": PAUL, "telegram": "12",
        "hours": "25:00-26:00", "agreed": "1"}, headers={"X-CSRF-Token": sam.csrf})
    body = await reply.json()
    assert reply.status == 400 and not body["ok"]
    assert any("prénom" in e for e in body["errors"])
    assert any("pas les deux" in e for e in body["errors"])
    assert any("horaires invalides" in e for e in body["errors"])
    assert await circle.contacts(world["redis"], world["prefix"], person) == []
    assert not await world["redis"].exists(CircleKeys(world["prefix"]).by_address(f"sms:{PAUL}"))
    admin = await client_for(world, "ada")
    refused = [e for e in await _audit(admin) if e["action"] == "circle_refused"]
    assert len(refused) == 3 and "phone" in refused[-1]["detail"]
    _no_full_number(json.dumps(refused), PAUL)
    for client in (sam, admin):
        await client.close()


async def test_a_contact_is_added_pending_then_removed_without_a_trace(world):
    person = await add_person(world, "+33611130003", "Marie")
    redis, prefix = world["redis"], world["prefix"]
    ref = await _ref(world, person)
    sam = await client_for(world, "sam")
    reply = await sam.post(f"/people/{ref}/circle", data={
        "csrf": sam.csrf, "first_name": "Paul", "relation": "voisin", "phone": "06 12 34 00 01",
        "hours": "09:00-20:00", "agreed": "on"})
    page = await reply.text()
    assert reply.status == 200 and reply.url.path == f"/people/{ref}"
    assert "Le cercle est à jour" in page
    (contact,) = await circle.contacts(redis, prefix, person)
    assert (contact.first_name, contact.relation, contact.address, contact.hours,
            contact.status) == ("Paul", "voisin", f"sms:{PAUL}", "09:00-20:00", "pending")
    assert await redis.zscore(CircleKeys(prefix).agreements_due, f"{person}|{contact.id}")
    assert "voisin" in page and "+33•••••••01" in page
    assert "accord pas encore demandé" in page
    _no_full_number(page, PAUL)
    # The same number twice is refused.
    reply = await sam.post(f"/api/people/{ref}/circle", json={
        "first_name": "Paulo", "relation": "ami", "phone": PAUL, "agreed": "1"},
        headers={"X-CSRF-Token": sam.csrf})
    assert reply.status == 400 and "déjà dans le cercle" in (await reply.json())["errors"][0]
    # Removed: nothing of the contact is kept.
    reply = await sam.post(f"/people/{ref}/circle/{contact.id}/remove",
                           data={"csrf": sam.csrf})
    page = await reply.text()
    assert reply.status == 200 and "plus rien n&#39;est gardé" in page
    assert await circle.contacts(redis, prefix, person) == []
    assert not await redis.exists(CircleKeys(prefix).by_address(f"sms:{PAUL}"))
    assert not await redis.zscore(CircleKeys(prefix).agreements_due, f"{person}|{contact.id}")
    assert "Aucun contact pour l'instant" in page
    reply = await sam.post(f"/api/people/{ref}/circle/{contact.id}/remove",
                           headers={"X-CSRF-Token": sam.csrf})
    assert reply.status == 404
    admin = await client_for(world, "ada")
    entries = [e for e in await _audit(admin) if e["target"] == ref]
    actions = [(e["login"], e["action"]) for e in entries]
    assert ("sam", "circle_add") in actions and ("sam", "circle_remove") in actions
    _no_full_number(json.dumps(entries), PAUL)
    for client in (sam, admin):
        await client.close()


async def test_the_watch_level_is_saved_and_audited(world):
    person = await add_person(world, "+33611130004", "Marie")
    redis, prefix = world["redis"], world["prefix"]
    ref = await _ref(world, person)
    sam = await client_for(world, "sam")
    page = await (await sam.get(f"/people/{ref}")).text()
    assert '<option value="standard" selected>' in page and "renforcée" in page
    reply = await sam.post(f"/people/{ref}/watch", data={"csrf": sam.csrf,
                                                         "watch": "renforcee"})
    page = await reply.text()
    assert reply.status == 200 and "Niveau de veille enregistré" in page
    assert '<option value="renforcee" selected>' in page
    assert await redis.hget(Keys(prefix).person(person), "watch") == b"renforcee"
    assert await redis.hget(Keys(prefix).person(person), "circle_on_silence") == b"0"
    # Standard, with the circle told at a silence, through the API.
    reply = await sam.post(f"/api/people/{ref}/watch",
                           json={"watch": "standard", "circle_on_silence": "1"},
                           headers={"X-CSRF-Token": sam.csrf})
    assert reply.status == 200 and (await reply.json())["ok"]
    view = await (await sam.get(f"/api/people/{ref}")).json()
    assert (view["watch"], view["circle_on_silence"]) == ("standard", True)
    # An unknown level is refused and changes nothing.
    reply = await sam.post(f"/api/people/{ref}/watch", json={"watch": "maximale"},
                           headers={"X-CSRF-Token": sam.csrf})
    assert reply.status == 400
    assert await redis.hget(Keys(prefix).person(person), "watch") == b"standard"
    admin = await client_for(world, "ada")
    details = [e["detail"] for e in await _audit(admin)
               if e["action"] == "watch" and e["target"] == ref]
    assert details == ["standard/1", "renforcee/0"]  # newest first
    for client in (sam, admin):
        await client.close()


async def test_the_person_page_shows_the_last_sign_the_ladder_and_the_circle(world):
    # Another timezone than the service's: the last sign is the person's local time.
    person = await add_person(world, "+33611130005", "Marie", timezone="Pacific/Noumea",
                              watch="renforcee")
    last_sign = time.time() - 86400
    await world["redis"].hset(Keys(world["prefix"]).person(person), "last_sign_ts",
                              f"{last_sign:.3f}")
    await _circle_with_an_open_ladder(world, person)
    ref = await _ref(world, person)
    sam = await client_for(world, "sam")
    page = await (await sam.get(f"/people/{ref}")).text()
    local = datetime.fromtimestamp(last_sign, ZoneInfo("Pacific/Noumea"))
    assert f"Dernier signe de vie : {local:%d/%m %H:%M}" in page
    assert "le cercle est sollicité" in page and "demande en cours à Anne" in page
    assert "demandé à : Paul, Anne" in page
    table = page[page.index('<table id="circle"'):]
    assert table.index("Paul") < table.index("Anne") and "fille" in table
    assert "07:00-22:00" in table
    assert page.count("d&#39;accord</td>") == 2
    view = await (await sam.get(f"/api/people/{ref}")).json()
    assert view["watch"] == "renforcee" and view["last_sign_ts"] == round(last_sign, 3)
    assert (view["ladder"]["status"], view["ladder"]["step"]) == ("open", "circle")
    assert view["ladder"]["asked"] == ["Paul", "Anne"] and view["ladder"]["asking"] == "Anne"
    assert [c["first_name"] for c in view["circle"]] == ["Paul", "Anne"]
    assert view["circle"][0]["contact"] == "+33•••••••01"
    _no_full_number(page + json.dumps(view, ensure_ascii=False), PAUL, ANNE, "+33611130005")
    await sam.close()


# -- a no_news case: the step, and "vu en personne" ----------------------------------
async def test_a_no_news_case_shows_the_step_and_seen_in_person_closes_ladder_and_case(world):
    person = await add_person(world, "+33611130006", "Marie", missed="2",
                              no_news_episode="e1", no_news_id="x")
    redis, prefix = world["redis"], world["prefix"]
    await _circle_with_an_open_ladder(world, person)
    await redis.hset(LadderKeys(prefix).episode(person), mapping={
        "status": "escalated", "step": "on_call"})
    case_id = await open_case(world, person, level="high", category="no_news", text="")
    ana, leo = await client_for(world, "ana"), await client_for(world, "leo")
    # The queue: "sans nouvelles", the step reached and who was asked.
    (row,) = [r for r in (await (await ana.get("/api/queue")).json())["cases"]
              if r["id"] == case_id]
    assert (row["ladder_status"], row["ladder_step"], row["checking"]) == \
        ("escalated", "on_call", ["Paul", "Anne"])
    queue = await (await ana.get("/queue")).text()
    assert "sans nouvelles · astreinte · demandé à : Paul, Anne" in queue
    page = await (await ana.get(f"/cases/{case_id}")).text()
    assert "Sans nouvelles" in page and "étape atteinte : <strong>astreinte</strong>" in page
    assert "Demandé à : Paul, Anne" in page
    # An urgent case nobody took: taken first (the rule of every close), nothing changes.
    assert 'id="seen"' not in page
    seen = {"csrf": ana.csrf, "outcome": "seen_in_person", "orientation": "none"}
    reply = await ana.post(f"/cases/{case_id}/resolve", data=seen)
    assert "prenez-le avant de le clore" in await reply.text()
    assert (await ladder.episode_of(redis, prefix, person))["status"] == "escalated"
    assert (await ana.post(f"/api/cases/{case_id}/claim",
                           headers={"X-CSRF-Token": ana.csrf})).status == 200
    # Only the holder (or an admin) closes it.
    reply = await leo.post(f"/cases/{case_id}/resolve", data=dict(seen, csrf=leo.csrf))
    assert "peut le clore" in await reply.text()
    assert (await ladder.episode_of(redis, prefix, person))["status"] == "escalated"
    page = await (await ana.get(f"/cases/{case_id}")).text()
    assert 'id="seen"' in page and "Vu en personne, tout va bien" in page
    assert '<option value="seen_in_person">' not in page  # the button, not the list
    reply = await ana.post(f"/cases/{case_id}/resolve", data=seen)
    page = await reply.text()
    assert reply.url.path == f"/cases/{case_id}" and "l&#39;échelle s&#39;arrête" in page
    case = await cases.get_case(redis, prefix, case_id)
    assert (case["status"], case["outcome"]) == ("resolved", "seen_in_person")
    assert (person, ["EXTERNAL_human_done"]) in world["takeover"].events
    episode = await ladder.episode_of(redis, prefix, person)
    assert (episode["status"], episode["closed_by"]) == ("seen", "listener:ana")
    assert await redis.zscore(LadderKeys(prefix).due,
                              f"{person}|{episode['episode']}|thanks") is not None
    record = await redis.hgetall(Keys(prefix).person(person))
    assert record[b"missed"] == b"0" and b"no_news_episode" not in record
    admin = await client_for(world, "ada")
    entries = [e for e in await _audit(admin) if e["target"] == case_id]
    assert ("ana", "resolve", "seen_in_person/none") in [
        (e["login"], e["action"], e["detail"]) for e in entries]
    assert ("leo", "resolve_refused") in [(e["login"], e["action"]) for e in entries]
    assert case_id not in [r["id"] for r in (await (await ana.get("/api/queue")).json())["cases"]]
    for client in (ana, leo, admin):
        await client.close()


async def test_no_number_appears_in_full_on_any_page(world):
    person = await add_person(world, "+33611130007", "Marie", watch="renforcee")
    await _circle_with_an_open_ladder(world, person)
    case_id = await open_case(world, person, level="watch", category="no_news", text="")
    ref = await _ref(world, person)
    sam = await client_for(world, "sam")
    seen = []
    for path in ("/queue", "/api/queue", f"/cases/{case_id}", f"/api/cases/{case_id}",
                 "/people", "/api/people", f"/people/{ref}", f"/api/people/{ref}"):
        reply = await sam.get(path)
        assert reply.status == 200, path
        seen.append(await reply.text())
    text = "\n".join(seen)
    assert "Paul" in text and "Anne" in text
    _no_full_number(text, PAUL, ANNE, "+33611130007")
    # The numbers are only ever shown masked (country code and last two digits).
    assert re.search(r"\+33•+01", text) and re.search(r"\+33•+02", text)
    await sam.close()
