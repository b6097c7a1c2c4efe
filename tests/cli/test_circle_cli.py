"""``python -m bot circle add|list|remove``: a person's circle of care from the command
line, on the real Redis under a private key prefix. Numbers are shown masked; a
refusal is said in French, saves nothing and exits with code 2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from typing import Iterator

import pytest

from tests.support.paths import ROOT
from tests.support.settings import TEST_REDIS_URL

PERSON = "sms:+33611140001"
PAUL = "+33612350001"


@pytest.fixture
def own_prefix(sync_redis) -> Iterator[str]:
    prefix = f"{uuid.uuid4().hex[:8]}k"
    sync_redis.hset(f"{prefix}:person:{PERSON}", mapping={"first_name": "Marie",
                                                          "status": "active"})
    yield prefix
    for key in sync_redis.scan_iter(match=f"{prefix}:*"):
        sync_redis.delete(key)


def circle_command(prefix: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, LIEN_KEY_PREFIX=prefix, REDIS_URL=TEST_REDIS_URL)
    return subprocess.run([sys.executable, "-m", "bot", "circle", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=60)


def test_a_contact_is_added_pending_listed_masked_and_removed(own_prefix, sync_redis):
    done = circle_command(own_prefix, "add", PERSON, "--name", "Paul", "--relation", "voisin",
                          "--phone", "06 12 35 00 01", "--hours", "09:00-20:00")
    assert done.returncode == 0, done.stderr
    assert "Le cercle de Marie" in done.stdout and "+33•••••••01" in done.stdout
    (raw,) = sync_redis.hvals(f"{own_prefix}:person:{PERSON}:circle")
    contact = json.loads(raw)
    assert (contact["first_name"], contact["relation"], contact["address"], contact["hours"],
            contact["status"]) == ("Paul", "voisin", f"sms:{PAUL}", "09:00-20:00", "pending")
    assert sync_redis.zscore(f"{own_prefix}:circle:agreements:due", f"{PERSON}|{contact['id']}")
    telegram = circle_command(own_prefix, "add", PERSON, "--name", "Zoé", "--relation", "fille",
                              "--telegram", "123456789")
    assert telegram.returncode == 0, telegram.stderr
    listed = circle_command(own_prefix, "list", PERSON)
    assert listed.returncode == 0
    lines = listed.stdout.strip().splitlines()
    assert lines[0].split("\t") == ["contact", "prénom", "lien", "adresse", "horaires", "accord"]
    assert lines[1].split("\t")[1:] == ["Paul", "voisin", "+33•••••••01", "09:00-20:00",
                                        "accord pas encore demandé"]
    assert lines[2].split("\t")[1:4] == ["Zoé", "fille", "Telegram ••89"]
    for output in (done.stdout, telegram.stdout, listed.stdout):
        assert "612350001" not in output and "611140001" not in output
        assert "123456789" not in output
    removed = circle_command(own_prefix, "remove", PERSON, contact["id"])
    assert removed.returncode == 0 and "ne fait plus partie du cercle" in removed.stdout
    assert not sync_redis.exists(f"{own_prefix}:circle:address:sms:{PAUL}")
    again = circle_command(own_prefix, "remove", PERSON, contact["id"])
    assert again.returncode == 2 and "Aucun contact" in again.stderr
    assert len(circle_command(own_prefix, "list", PERSON).stdout.strip().splitlines()) == 2


def test_refusals_are_in_french_save_nothing_and_exit_with_2(own_prefix, sync_redis):
    bad = circle_command(own_prefix, "add", PERSON, "--name", "Paul", "--relation", "voisin",
                         "--phone", "06 OO 00 01 01")
    assert bad.returncode == 2
    assert "Contact refusé, rien n'a été enregistré" in bad.stderr
    assert "numéro de téléphone invalide" in bad.stderr
    both = circle_command(own_prefix, "add", PERSON, "--name", "Paul", "--relation", "voisin",
                          "--phone", PAUL, "--telegram", "42", "--hours", "8h-21h")
    assert both.returncode == 2
    assert "pas les deux" in both.stderr and "horaires invalides" in both.stderr
    neither = circle_command(own_prefix, "add", PERSON, "--name", "Paul", "--relation", "voisin")
    assert neither.returncode == 2 and "est nécessaire" in neither.stderr
    assert not sync_redis.exists(f"{own_prefix}:person:{PERSON}:circle")
    unknown = circle_command(own_prefix, "list", "sms:+33699999999")
    assert unknown.returncode == 2 and "Personne inconnue" in unknown.stderr
    assert "699999999" not in unknown.stderr
    empty = circle_command(own_prefix, "list", PERSON)
    assert empty.returncode == 0 and "Aucun contact dans le cercle de Marie" in empty.stdout
    for five in range(5):
        assert circle_command(own_prefix, "add", PERSON, "--name", f"Proche{five}", "--relation",
                              "ami", "--telegram", f"{1000 + five}").returncode == 0
    sixth = circle_command(own_prefix, "add", PERSON, "--name", "Sixième", "--relation", "ami",
                           "--telegram", "2000")
    assert sixth.returncode == 2 and "déjà 5 contacts" in sixth.stderr
