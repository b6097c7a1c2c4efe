"""The silence drill (tools/drill.py), tiny: real worker processes on a fast clock,
one of them killed; the issue's figures for renforcée hold.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.support.paths import ROOT

# A benchmark run small: make test runs it, make test-fast does not.
pytestmark = pytest.mark.slow

LINE = re.compile(
    r"^silence drill: people=(?P<people>\d+) silent=(?P<silent>\d+) "
    r"first_contact_p95_min=(?P<first>[\d.]+) human_alerted_p95_min=(?P<human>[\d.]+) "
    r"all_clear=(?P<done>\d+)/(?P<asked>\d+) missed=(?P<missed>\d+) "
    r"duplicates=(?P<duplicates>\d+)$")


def test_a_tiny_drill_meets_the_figures():
    run = subprocess.run(
        [sys.executable, "-m", "tools.drill", "--people", "60", "--silent", "6",
         "--speed", "240", "--spread", "10", "--workers", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=150)
    lines = run.stdout.strip().splitlines()
    assert lines, run.stderr[-3000:]
    found = LINE.match(lines[-1])
    assert found, (lines[-1], run.stderr[-3000:])
    figures = found.groupdict()
    assert (figures["people"], figures["silent"]) == ("60", "6")
    assert figures["missed"] == "0", run.stderr[-3000:]
    assert figures["duplicates"] == "0", run.stderr[-3000:]
    assert float(figures["human"]) <= 120, run.stderr[-3000:]
    assert float(figures["first"]) <= 120, run.stderr[-3000:]
    assert figures["done"] == figures["asked"], run.stderr[-3000:]
    assert run.returncode == 0, run.stderr[-3000:]
