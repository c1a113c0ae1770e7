"""Datasets: the course's own bundled sets, and real benchmarks read from ``COURSE_DATA_DIR``.

Bundled (written for this course, see ``course_lib/datasets/DATASHEET.md``), so every notebook runs
with no data folder:

- :func:`load_sts_pairs`   sentence pairs scored 0-5 (paraphrase, related, unrelated, negation, word order)
- :func:`load_sentiment`   300 labelled review sentences (plain, negation, contrast, misleading words)
- :func:`load_topic_corpus` ~210 sentences in 6 topics, for search and clustering

Real data, never copied into the repository (introduced in notebook 02):

- :func:`load_stsb`  STS Benchmark (Cer et al., 2017): pairs with 0-5 gold scores
- :func:`load_sst2`  SST-2 sentence-level sentiment (as used by SentEval)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

DATA_ENV_VAR = "COURSE_DATA_DIR"
_BUNDLED = Path(__file__).parent / "datasets"

STSB_SPLITS = {"train": "sts-train.csv", "dev": "sts-dev.csv", "test": "sts-test.csv"}
SST2_SPLITS = {"train": "stsa.binary.train", "dev": "stsa.binary.dev", "test": "stsa.binary.test"}


class SentencePairs(NamedTuple):
    """Sentence pairs with gold similarity scores in [0, 5]; ``kinds`` labels each pair (bundled set)."""

    sentences1: list[str]
    sentences2: list[str]
    scores: np.ndarray
    kinds: list[str] | None = None


class LabelledSentences(NamedTuple):
    """Sentences with integer labels; ``groups`` names a sub-category of each (bundled set)."""

    texts: list[str]
    labels: np.ndarray
    groups: list[str] | None = None


def data_dir() -> Path | None:
    """The real-data folder from ``COURSE_DATA_DIR``, or None when it is unset or missing."""
    value = os.environ.get(DATA_ENV_VAR, "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_dir() else None


def has_real_data(name: str = "stsbenchmark") -> bool:
    """True when ``COURSE_DATA_DIR`` holds the folder ``name`` (``"stsbenchmark"`` or ``"sst2"``)."""
    folder = data_dir()
    return folder is not None and (folder / name).is_dir()


def _check_split(split: str, splits: dict[str, str]) -> str:
    if split not in splits:
        raise ValueError(f"split: expected one of {list(splits)}, got {split!r}")
    return splits[split]


def _real_file(subfolder: str, filename: str, what: str, dataset_hint: str) -> Path:
    folder = data_dir()
    if folder is None:
        problem = f"{DATA_ENV_VAR} is not set" if not os.environ.get(DATA_ENV_VAR) else (
            f"{DATA_ENV_VAR}={os.environ[DATA_ENV_VAR]!r} is not a folder"
        )
    else:
        path = folder / subfolder / filename
        if path.is_file():
            return path
        problem = f"{path} does not exist"
    raise FileNotFoundError(
        f"{what} not found: {problem}. Point {DATA_ENV_VAR} at a folder that holds "
        f"{subfolder}/{filename} (in this repository's CI that is ../shared/data), e.g. "
        f"`export {DATA_ENV_VAR}=/path/to/data`. When online you can get the same data with the "
        f"`datasets` package: {dataset_hint}. The bundled sets in course_lib.data work without it."
    )


def load_stsb(split: str = "test") -> SentencePairs:
    """STS Benchmark pairs and gold scores (0-5) from ``$COURSE_DATA_DIR/stsbenchmark``.

    Sizes: train 5749, dev 1500, test 1379 pairs. The file is tab-separated with no quoting
    (sentences contain quote characters), and some rows carry extra trailing fields.
    """
    path = _real_file(
        "stsbenchmark", _check_split(split, STSB_SPLITS), "STS Benchmark",
        "datasets.load_dataset('sentence-transformers/stsb') (scores there are rescaled to 0-1)",
    )
    first, second, scores = [], [], []
    for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        fields = line.split("\t")
        if len(fields) < 7:
            raise ValueError(f"{path}:{line_number}: expected at least 7 tab-separated fields, got {len(fields)}")
        scores.append(float(fields[4]))
        first.append(fields[5])
        second.append(fields[6])
    return SentencePairs(first, second, np.asarray(scores, dtype=np.float64))


def load_sst2(split: str = "test") -> LabelledSentences:
    """SST-2 sentences (lower-cased, tokenised) and labels (0 negative, 1 positive) from ``$COURSE_DATA_DIR/sst2``.

    Sizes: train 6920, dev 872, test 1821 sentences.
    """
    path = _real_file(
        "sst2", _check_split(split, SST2_SPLITS), "SST-2",
        "datasets.load_dataset('stanfordnlp/sst2') (other splits and casing than SentEval's files)",
    )
    texts, labels = [], []
    for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        label, _, text = line.partition(" ")
        if label not in ("0", "1") or not text:
            raise ValueError(f"{path}:{line_number}: expected 'LABEL SENTENCE' with label 0 or 1, got {line[:40]!r}")
        labels.append(int(label))
        texts.append(text)
    return LabelledSentences(texts, np.asarray(labels, dtype=np.int64))


def _read_bundled(filename: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    path = _BUNDLED / filename
    lines = path.read_text(encoding="utf-8").splitlines()
    header = tuple(lines[0].split("\t"))
    if header != columns:
        raise ValueError(f"{path}: expected columns {columns}, got {header}")
    rows = []
    for line_number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != len(columns):
            raise ValueError(f"{path}:{line_number}: expected {len(columns)} fields, got {len(fields)}")
        rows.append(dict(zip(columns, fields)))
    return rows


def load_sts_pairs() -> SentencePairs:
    """The bundled sentence pairs with 0-5 similarity scores and their kind of relation."""
    rows = _read_bundled("sts_pairs.tsv", ("score", "kind", "sentence1", "sentence2"))
    return SentencePairs(
        [r["sentence1"] for r in rows],
        [r["sentence2"] for r in rows],
        np.asarray([float(r["score"]) for r in rows], dtype=np.float64),
        [r["kind"] for r in rows],
    )


def load_sentiment() -> LabelledSentences:
    """The bundled 300 review sentences: labels (1 positive, 0 negative) and the phenomenon each shows."""
    rows = _read_bundled("sentiment.tsv", ("label", "phenomenon", "sentence"))
    return LabelledSentences(
        [r["sentence"] for r in rows],
        np.asarray([int(r["label"]) for r in rows], dtype=np.int64),
        [r["phenomenon"] for r in rows],
    )


def load_topic_corpus() -> LabelledSentences:
    """The bundled topical corpus: sentences and their topic (6 topics), for search and clustering."""
    rows = _read_bundled("topics.tsv", ("topic", "sentence"))
    topics = sorted({r["topic"] for r in rows})
    return LabelledSentences(
        [r["sentence"] for r in rows],
        np.asarray([topics.index(r["topic"]) for r in rows], dtype=np.int64),
        [r["topic"] for r in rows],
    )
