"""Nobody takes the service over through Rasa's HTTP API or the REST channel."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid

import pytest
import requests
import yaml

from bot.cli.supervisor import start_services
from channels.common import button_payload, typed_text
from tests.channels.test_sms import Phone
from tests.support.paths import ROOT
from tests.support.settings import AUTH

OPT_OUT_WORDS = "ne recevrez plus"


@pytest.mark.parametrize("method,path,body", [
    ("get", "/conversations/{p}/tracker", None),
    ("post", "/conversations/{p}/tracker/events", {"event": "pause"}),
    ("post", "/conversations/{p}/trigger_intent", {"name": "EXTERNAL_checkin_morning"}),
    ("put", "/model", {"model_file": "/tmp/evil.tar.gz"}),
    ("get", "/status", None),
])
def test_the_api_refuses_anyone_without_the_token(servers, method, path, body):
    person = f"test:{uuid.uuid4().hex[:8]}"
    url = servers["rasa"] + path.format(p=person)
    reply = getattr(requests, method)(url, json=body, timeout=30)
    assert reply.status_code == 401, (path, reply.status_code, reply.text[:200])
    wrong = getattr(requests, method)(url, json=body, params={"token": "guess"}, timeout=30)
    assert wrong.status_code == 401


def test_the_api_still_answers_the_token(servers):
    reply = requests.get(f"{servers['rasa']}/status", params=AUTH, timeout=30)
    assert reply.ok and reply.json().get("model_file")


def test_the_rest_channel_needs_the_token_and_never_speaks_for_a_person(servers):
    url = f"{servers['rasa']}/webhooks/rest/webhook"
    message = {"sender": f"test:{uuid.uuid4().hex[:8]}", "message": "bonjour"}
    assert requests.post(url, json=message, timeout=30).status_code == 401
    assert requests.post(url, json=message, params={"token": "x"}, timeout=30).status_code == 401
    ok = requests.post(url, json=message, headers={"Authorization": f"Bearer {AUTH['token']}"},
                       timeout=60)
    assert ok.status_code == 200 and ok.json()
    for sender in ("sms:+33612345678", "telegram:12345"):
        forged = requests.post(url, json={"sender": sender, "message": "/opt_out"},
                               params=AUTH, timeout=30)
        assert forged.status_code == 403, sender


def test_a_typed_intent_shortcut_is_read_as_words_on_sms(servers):
    phone = Phone(servers)
    assert phone.text("/opt_out").status_code == 200
    assert phone.text("/EXTERNAL_human_done").status_code == 200
    time.sleep(1.5)
    tracker = requests.get(f"{servers['rasa']}/conversations/sms:{phone.number}/tracker",
                           params=AUTH, timeout=30).json()
    intents = [e["parse_data"]["intent"]["name"] for e in tracker["events"]
               if e.get("event") == "user"]
    assert "opt_out" not in intents and "EXTERNAL_human_done" not in intents, intents
    assert not any(OPT_OUT_WORDS in body for body in phone.received())


def test_typed_text_drops_the_shortcut_and_buttons_keep_theirs():
    assert typed_text("/opt_out") == "opt_out"
    assert typed_text("  //affirm") == "affirm"
    assert typed_text("je vais bien / merci") == "je vais bien / merci"
    assert button_payload("/affirm") == "/affirm"
    assert button_payload("/opt_out") == "/opt_out"  # the consent button
    assert button_payload('/risk_suicide{"risk_level":"high"}') is None
    assert button_payload("/EXTERNAL_human_done") is None


def test_the_rasa_server_does_not_start_without_a_token(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "RASA_TOKEN"}
    started = subprocess.run([sys.executable, "-m", "bot.rasa.server", "--port", "1"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert started.returncode == 2 and "RASA_TOKEN" in started.stderr
    with pytest.raises(RuntimeError):
        start_services(env, tmp_path, 1, 2, "models/none.tar.gz")


def test_make_run_generates_a_private_token_once(tmp_path, monkeypatch):
    from bot.core.config import ensure_rasa_token

    monkeypatch.delenv("RASA_TOKEN", raising=False)
    first = ensure_rasa_token(tmp_path)
    assert len(first) >= 32 and ensure_rasa_token(tmp_path) == first
    assert (tmp_path / "secrets" / "rasa_token").stat().st_mode & 0o077 == 0


def test_the_token_never_appears_on_a_command_line():
    from bot.cli.supervisor import rasa_command

    assert AUTH["token"] not in " ".join(rasa_command("m.tar.gz", 5005, "127.0.0.1"))
    assert "--interface" in rasa_command("m.tar.gz", 5005, "127.0.0.1")


def test_production_exposes_only_the_webhooks_and_requires_the_token():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    nginx = compose["configs"]["nginx"]["content"]
    locations = re.findall(r"location\s+(=\s+)?(\S+)\s*\{([^}]*)\}", nginx)
    proxied = {path for _, path, body in locations if "proxy_pass" in body}
    assert proxied == {"/webhooks/sms/", "/webhooks/telegram/", "/health"}
    catch_all = [body for _, path, body in locations if path == "/"]
    assert catch_all and "return 404" in catch_all[0]
    rasa = compose["services"]["rasa"]
    assert rasa["command"][:3] == ["python", "-m", "bot.rasa.server"]
    assert compose["services"]["actions"]["command"][:3] == [
        "python", "-m", "bot.rasa.action_server"]
    assert "ports" not in compose["services"]["actions"]
    assert "ports" not in rasa
    env = rasa["environment"]
    assert env["RASA_TOKEN"].startswith("${RASA_TOKEN:?") and env["REST_CHANNEL"] == "off"
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "bot.rasa.server" in dockerfile and "--enable-api" not in dockerfile
    for path in ("bot/cli/supervisor.py", "tools/bench_alerts.py"):
        assert "--enable-api" not in (ROOT / path).read_text(encoding="utf-8"), path


def test_the_action_server_refuses_anyone_without_the_token(servers):
    webhook = f"{servers['actions']}/webhook"
    call = {"next_action": "action_escalate", "sender_id": "test:nobody",
            "tracker": {"sender_id": "test:nobody", "slots": {}, "latest_message": {},
                        "events": [], "paused": False, "followup_action": None,
                        "active_loop": {}, "latest_action_name": None},
            "domain": {}, "version": "3.6.2"}
    assert requests.post(webhook, json=call, timeout=30).status_code == 401
    wrong = requests.post(webhook, json=call, headers={"Authorization": "Bearer guess"},
                          timeout=30)
    assert wrong.status_code == 401
    assert requests.get(f"{servers['actions']}/actions", timeout=30).status_code == 401
    assert requests.get(f"{servers['actions']}/health", timeout=30).ok
    assert requests.get(f"{servers['actions']}/actions", params=AUTH, timeout=30).ok
    assert requests.get(f"{servers['actions']}/actions", timeout=30,
                        headers={"Authorization": f"Bearer {AUTH['token']}"}).ok


def test_the_action_server_does_not_start_without_a_token():
    env = {k: v for k, v in os.environ.items() if k != "RASA_TOKEN"}
    started = subprocess.run([sys.executable, "-m", "bot.rasa.action_server", "--port", "1"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert started.returncode == 2 and "RASA_TOKEN" in started.stderr


def test_a_token_that_starts_with_a_dash_is_one_argument():
    from bot.rasa.server import rasa_argv

    argv = rasa_argv("-abcdefghijklmnopqrstu", ["--port", "5005"])
    assert "--auth-token=-abcdefghijklmnopqrstu" in argv
    assert "--auth-token" not in argv


def test_rasa_fills_the_action_server_token_from_the_environment(monkeypatch):
    from rasa.core.utils import read_endpoints_from_path

    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:1/webhook")
    endpoints = read_endpoints_from_path(str(ROOT / "endpoints.yml"))
    assert endpoints.action.token == AUTH["token"]
