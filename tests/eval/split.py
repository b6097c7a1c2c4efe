"""Split the writers' files once into a dev half and a sealed half.

Usage: python tests/eval/split.py  (reads tests/eval/incoming/*.jsonl, writes
tests/eval/<set>.dev.jsonl and <set>.sealed.jsonl, then removes incoming/).

The split is a hash of each line's text (or scenario turns), so it is stable and
nobody chooses which line lands where. Run once per new batch of writing.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tools.eval_independent import NearIndex, training_texts  # noqa: E402

HERE = Path(__file__).resolve().parent
SETS = {
    # risk_mixed.jsonl (all four categories, more harmless lines) is optional
    "risk": ["risk_suicide.jsonl", "risk_violence_child.jsonl", "risk_medical.jsonl",
             "risk_mixed.jsonl"],
    "scenarios": ["scenarios.jsonl"],
    "companion": ["companion.jsonl"],
    "booking": ["booking.jsonl"],
}
# A batch may leave these out; every other file of a set is needed to read it.
OPTIONAL = {"risk_mixed.jsonl"}


def key(item: dict) -> str:
    """What the split hashes."""
    return item.get("text") or "\n".join(item.get("turns") or [])


def _read_batch(folder: str, paths: list, index: NearIndex) -> tuple:
    """A batch's lines (each with the file it came from), and those kept: a line
    that is, or nearly is, a training example is dropped unread."""
    items = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                item["file"] = f"{folder}/" + path.name
                items.append(item)
    kept = [i for i in items
            if not any(len(t) > 12 and index.near(t)
                       for t in ([i["text"]] if "text" in i else i["turns"]))]
    return items, kept


def _index() -> NearIndex:
    """What a new line must not be near: the training examples, and the lines
    the sentence reader learns from (config.yml: the dev half's messages and
    turns, and the sealed half's, which join it when a fresh batch is sealed)."""
    written = []
    for name in ("risk", "companion", "scenarios"):
        for half in ("dev", "sealed"):
            path = HERE / f"{name}.{half}.jsonl"
            if not path.exists():
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    item = json.loads(line)
                    written.extend([item["text"]] if "text" in item else item["turns"])
    return NearIndex(training_texts() + written)


def seal_fresh(folder: str = "incoming2") -> None:
    """A fresh batch (``folder``/) becomes the sealed half, whole.

    The first sealed half was printed by mistake (a debug log of Rasa's parser)
    on 2026-12-03 and joined the dev half; a fresh set, written the same way by
    new writers, replaced it. Nobody has read it. When a sealed half has been
    used to choose between designs too often, the same is done on purpose: the
    old sealed half joins the dev half (its lines may be read from then on) and
    a fresh batch is sealed (``--seal-fresh batch3``).
    """
    index = _index()
    for name, files in SETS.items():
        paths = [HERE / folder / f for f in files if (HERE / folder / f).exists()]
        if not all((HERE / folder / f).exists() for f in files if f not in OPTIONAL):
            continue
        items, kept = _read_batch(folder, paths, index)
        print(name, "sealed", len(kept), "dropped as overlapping training:",
              len(items) - len(kept))
        out = HERE / f"{name}.sealed.jsonl"
        if folder != "incoming2" and out.exists():
            dev = HERE / f"{name}.dev.jsonl"
            dev.write_text(dev.read_text(encoding="utf-8") + out.read_text(encoding="utf-8"),
                           encoding="utf-8")
        out.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in kept),
                       encoding="utf-8")


def add_batch(folder: str, dev_only: bool = False) -> None:
    """A further batch (``folder``/) split by the same hash and added to both halves
    (``dev_only``: all of it to the dev half, to find more of what to improve).

    For a set that needs more lines than it has (the booking set's fourth batch,
    2026-12-04): the sealed half grows with lines nobody has read, the dev half
    with lines whose misses may be read. The batch folder is removed afterwards.
    """
    index = _index()
    for name, files in SETS.items():
        paths = [HERE / folder / f for f in files if (HERE / folder / f).exists()]
        items, kept = _read_batch(folder, paths, index)
        if not items:
            continue
        print(name, "dropped as overlapping training:", len(items) - len(kept))
        halves: dict = {"dev": [], "sealed": []}
        for item in kept:
            digest = hashlib.sha256(("lien-eval-2026-12:" + key(item)).encode()).digest()
            halves["sealed" if digest[0] & 1 and not dev_only else "dev"].append(item)
        for half, chosen in halves.items():
            out = HERE / f"{name}.{half}.jsonl"
            before = out.read_text(encoding="utf-8") if out.exists() else ""
            out.write_text(before + "".join(json.dumps(i, ensure_ascii=False) + "\n"
                                            for i in chosen), encoding="utf-8")
            print(name, half, "+", len(chosen))
        for path in paths:
            path.unlink()


def main() -> None:
    """Write the halves."""
    if "--add" in sys.argv:
        add_batch(sys.argv[sys.argv.index("--add") + 1], dev_only="--dev-only" in sys.argv)
        return
    if "--seal-fresh" in sys.argv:
        rest = sys.argv[sys.argv.index("--seal-fresh") + 1:]
        seal_fresh(rest[0] if rest else "incoming2")
        return
    for name, files in SETS.items():
        if not all((HERE / "incoming" / f).exists() for f in files if f not in OPTIONAL):
            print(name, "not written yet")
            continue
        items = []
        for filename in files:
            path = HERE / "incoming" / filename
            if not path.exists():
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    item = json.loads(line)
                    item["file"] = filename
                    items.append(item)
        index = NearIndex(training_texts())
        kept = [i for i in items
                if not any(len(t) > 12 and index.near(t)
                           for t in ([i["text"]] if "text" in i else i["turns"]))]
        # Lines that happen to be training examples would measure memory: dropped
        # unread (only their number is printed).
        print(name, "dropped as overlapping training:", len(items) - len(kept))
        items = kept
        halves = {"dev": [], "sealed": []}
        for item in items:
            digest = hashlib.sha256(("lien-eval-2026-12:" + key(item)).encode()).digest()
            halves["sealed" if digest[0] & 1 else "dev"].append(item)
        for half, chosen in halves.items():
            out = HERE / f"{name}.{half}.jsonl"
            out.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in chosen),
                           encoding="utf-8")
            print(name, half, len(chosen))


if __name__ == "__main__":
    main()
