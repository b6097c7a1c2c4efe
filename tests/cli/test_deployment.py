"""docker-compose.yml and the Dockerfile: what can be checked without a Docker engine."""

from __future__ import annotations

import re

import yaml

from tests.support.paths import ROOT


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_redis_keeps_an_append_only_file_and_is_checked():
    redis = _compose()["services"]["redis"]
    assert "--appendonly" in redis["command"]
    assert redis["command"][redis["command"].index("--appendonly") + 1] == "yes"
    assert any(v.endswith(":/data") for v in redis["volumes"])
    assert "healthcheck" in redis


def test_rasa_and_actions_are_replicated_with_healthchecks():
    services = _compose()["services"]
    for name in ("rasa", "actions"):
        assert services[name]["deploy"]["replicas"] >= 2, name
        assert "healthcheck" in services[name], name
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_every_variable_endpoints_yml_needs_is_set():
    needed = set(re.findall(r"\$\{(\w+)\}", (ROOT / "endpoints.yml").read_text()))
    for name in ("rasa", "actions"):
        env = _compose()["services"][name]["environment"]
        assert needed <= set(env), (name, needed - set(env))
    assert _compose()["services"]["rasa"]["environment"]["REDIS_URL"].startswith("redis://redis:")


def test_the_image_installs_the_pinned_requirements():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.10", dockerfile, re.M)
    assert "requirements.txt" in dockerfile and "pip check" in dockerfile
    for service in _compose()["services"].values():
        if "build" in service:
            assert service["build"] == "."


def test_the_gateway_balances_the_rasa_replicas():
    compose = _compose()
    assert "rasa:5005" in compose["configs"]["nginx"]["content"]
    assert compose["services"]["gateway"]["ports"] == ["8080:80"]


def test_the_scheduler_workers_run_beside_rasa():
    worker = _compose()["services"]["worker"]
    assert worker["command"] == ["python", "-m", "bot", "worker"]
    assert worker["deploy"]["replicas"] >= 2  # safe: claims are atomic in Redis
    assert worker["environment"]["REDIS_URL"].startswith("redis://redis:")
    assert worker["environment"]["RASA_URL"] == "http://rasa:5005"  # private network
    assert worker["depends_on"]["redis"]["condition"] == "service_healthy"


def test_the_console_is_served_apart_and_shares_the_roster_with_the_workers():
    services = _compose()["services"]
    console = services["console"]
    # On the console's own environment, built in the image (aiohttp past Rasa's pin).
    assert console["command"][:4] == ["/opt/console/bin/python", "-m", "bot", "console"]
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "python -m venv /opt/console" in dockerfile
    assert "/opt/console/bin/pip install --no-cache-dir -r requirements-console.txt" in dockerfile
    port = console["command"][console["command"].index("--port") + 1]
    assert any(p.startswith("127.0.0.1:") and p.endswith(f":{port}") for p in console["ports"])
    assert port in console["healthcheck"]["test"][-1]
    for name in ("console", "worker"):
        env = services[name]["environment"]
        assert env["ROSTER_FILE"].startswith("/roster/")
        assert "roster:/roster" in services[name]["volumes"]
        assert env["REDIS_URL"].startswith("redis://redis:")
    assert "roster" in _compose()["volumes"]
    # The console runs as the image's user: the volume must be writable by it.
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"chown lien /roster", dockerfile)


def test_the_ci_script_parses_and_runs_the_readme_test_command():
    import subprocess

    script = ROOT / ".ci" / "run"
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    lines = [line.strip() for line in script.read_text(encoding="utf-8").splitlines()]
    assert lines[-1] == "make test" and "make test" in (ROOT / "README.md").read_text()
    assert any("chromium" in line and "apt-get install" in line for line in lines)
