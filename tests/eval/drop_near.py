"""Drop, unread, the training examples that are or nearly are an evaluation line.

New training data is written apart from the evaluation, but two writers can
happen on the same short sentence ("le soir plutôt vers 20h svp"). The
evaluation keeps its lines: the training example goes. Nothing is printed but
counts per file (a training line near a sealed line would show the sealed line).

    python tests/eval/drop_near.py data/nlu/written_companion_a.yml ...
"""

from __future__ import annotations

import json
from collections import Counter
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from tools.eval_independent import NearIndex  # noqa: E402  (run as a script)
from bot.core.text import normalise_text  # noqa: E402

EXAMPLE = re.compile(r"^(\s*)- (.*)$")


def evaluation_lines() -> list:
    """Every line of every set, both halves."""
    lines = []
    for path in sorted((ROOT / "tests" / "eval").glob("*.jsonl")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(raw)
            lines.extend([item["text"]] if "text" in item else item["turns"])
    return [line for line in lines if len(normalise_text(line)) > 12]


def _near_the_other_way(index: NearIndex, example: str) -> bool:
    """Whether an evaluation line of five words or more is near ``example`` (the
    check of ``NearIndex.near`` with the two sides swapped)."""
    tokens = frozenset(normalise_text(example).split())
    shared = Counter(i for t in tokens for i in index.by_token.get(t, ()))
    return any(len(index.sets[i]) >= 5 and count / len(tokens | index.sets[i]) >= 0.8
               for i, count in shared.items())


def main(paths: list) -> int:
    """Rewrite each file without its near examples; print the counts."""
    index = NearIndex(evaluation_lines())
    for name in paths:
        path = Path(name)
        kept, dropped = [], 0
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            match = EXAMPLE.match(line.rstrip("\n"))
            # Both ways, as tests/tools/test_eval_independence.py checks: "en forme
            # ce matin 💪" is near the evaluation's "En pleine forme ce matin !"
            # only when the evaluation line is the one looked up.
            if match and len(match.group(1)) >= 4 and (
                    index.near(match.group(2)) or _near_the_other_way(index, match.group(2))):
                dropped += 1
                continue
            kept.append(line)
        if dropped:
            path.write_text("".join(kept), encoding="utf-8")
        print(f"{path}: {dropped} example(s) dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
