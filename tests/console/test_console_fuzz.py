"""Schemathesis reads bot/console/openapi.yml and fuzzes every API route: no 5xx.

The console runs as its own process (``python -m bot console``) on a private
key prefix, with a signed-in admin session (so that every route is reachable)
and one person with an open case, so that real data is on the path too.
"""

from __future__ import annotations

import os
import re
import time
import uuid

import pytest
import redis as syncredis
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.support.paths import ROOT
from tests.support.servers import add_console_user, start_console
from tests.support.settings import TEST_REDIS_URL

schema = schemathesis.openapi.from_path(str(ROOT / "bot" / "console" / "openapi.yml"))
PASSWORD = "fuzzing password 123"


@pytest.fixture(scope="module")
def console_session(tmp_path_factory):
    prefix = f"{uuid.uuid4().hex[:8]}f"
    env = dict(os.environ, REDIS_URL=TEST_REDIS_URL, LIEN_KEY_PREFIX=prefix,
               RASA_URL="http://127.0.0.1:9", TWILIO_ACCOUNT_SID="", TELEGRAM_BOT_TOKEN="")
    add_console_user(env, "fuzz", "admin", PASSWORD)
    redis = syncredis.Redis.from_url(TEST_REDIS_URL)
    person = "sms:+33699990001"
    redis.hset(f"{prefix}:person:{person}", mapping={"first_name": "Zoé", "status": "active"})
    redis.sadd(f"{prefix}:persons", person)
    redis.hset(f"{prefix}:case:0000000000001-aaaaaaaa", mapping={
        "id": "0000000000001-aaaaaaaa", "person_id": person, "level": "high",
        "category": "suicide", "status": "pending", "created_ts": str(time.time())})
    redis.zadd(f"{prefix}:cases:open", {"0000000000001-aaaaaaaa": 1})
    process, url = start_console(env, tmp_path_factory.mktemp("console") / "console.log")
    session = requests.Session()
    token = re.search(r'name="csrf" value="([^"]+)"',
                      session.get(f"{url}/login").text).group(1)
    reply = session.post(f"{url}/login", data={"csrf": token, "login": "fuzz",
                                               "password": PASSWORD}, allow_redirects=False)
    assert reply.status_code == 302
    csrf = re.search(r'name="csrf-token" content="([^"]+)"',
                     session.get(f"{url}/queue").text).group(1)
    yield {"url": url, "session": session, "csrf": csrf}
    process.terminate()
    process.wait(timeout=15)
    for key in redis.scan_iter(match=f"{prefix}:*", count=1000):
        redis.delete(key)


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_no_api_route_answers_a_server_error(case, console_session):
    case.call_and_validate(base_url=console_session["url"], session=console_session["session"],
                           headers={"X-CSRF-Token": console_session["csrf"]},
                           checks=[not_a_server_error])
