"""Safety when parts fail: the action server down still gives the number and the record."""

from __future__ import annotations

import re
import time
import uuid

import pytest
import requests

from bot.cli.supervisor import service_environment, start_services, stop_services
from tests.support.paths import ROOT
from tests.support.servers import _free_port
from tests.support.settings import AUTH, TEST_REDIS_URL

pytestmark = pytest.mark.e2e


def test_risk_is_answered_and_recorded_without_the_action_server(trained_model, sync_redis, prefix):
    rasa_port, dead_action_port = _free_port(), _free_port()
    env = service_environment(TEST_REDIS_URL, dead_action_port)
    env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{dead_action_port}/webhook"
    processes = start_services(env, ROOT / "var" / "test" / "log-noactions", rasa_port,
                               dead_action_port, trained_model)
    rasa_process = processes[1]
    stop_services(processes[:1])  # the action server is gone
    try:
        url = f"http://127.0.0.1:{rasa_port}"
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/status", params=AUTH, timeout=2).json().get("model_file"):
                    break
            except (requests.RequestException, ValueError):
                assert rasa_process.poll() is None, "the Rasa server stopped"
            time.sleep(0.5)
        sender = f"test:{uuid.uuid4().hex[:10]}"
        reply = requests.post(f"{url}/webhooks/rest/webhook", params=AUTH,
                              json={"sender": sender, "message": "je vais me foutre en l'air"},
                              timeout=60)
        assert reply.status_code == 200
        texts = [m.get("text", "") for m in reply.json()]
        assert texts and re.search(r"(?<!\d)3114(?!\d)", texts[0]), texts
        ids = sync_redis.zrange(f"{prefix}:person:{sender}:escalations", 0, -1)
        assert len(ids) == 1
        record = sync_redis.hgetall(f"{prefix}:escalation:{ids[0]}")
        assert record["category"] == "suicide"
        assert record["recorded_by"] == "tracker_store"
    finally:
        stop_services(processes)
