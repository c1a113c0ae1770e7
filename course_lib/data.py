"""Datasets: the course's own bundled sets, and real benchmarks read from ``COURSE_DATA_DIR``.

Bundled (written for this course, see ``course_lib/datasets/DATASHEET.md``), so every notebook runs
with no data folder:

- :func:`load_sts_pairs`   sentence pairs scored 0-5 (paraphrase, related, unrelated, negation, word order)
- :func:`load_sentiment`   300 labelled review sentences (plain, negation, contrast, misleading words)
- :func:`load_topic_corpus` ~210 sentences in 6 topics, for search and clustering

Real data, never copied into the repository (introduced in notebook 02):

- :func:`load_stsb`  STS Benchmark (Cer et al., 2017): pairs with 0-5 gold scores
- :func:`load_sst2`  SST-2 sentence-level sentiment (as used by SentEval)

And for training on pairs (notebook 04): :func:`check_pairs` and :func:`split_pairs`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from course_lib._checks import check_choice, check_int, check_number, check_type, describe

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


REAL_DATA_FOLDERS = ("stsbenchmark", "sst2")


def has_real_data(name: str = "stsbenchmark") -> bool:
    """True when ``COURSE_DATA_DIR`` holds the folder ``name`` (``"stsbenchmark"`` or ``"sst2"``)."""
    check_choice("name", name, REAL_DATA_FOLDERS)
    folder = data_dir()
    return folder is not None and (folder / name).is_dir()


def _check_split(split: str, splits: dict[str, str]) -> str:
    return splits[check_choice("split", split, splits)]


def _read_lines(path: Path) -> list[str]:
    """The lines of a UTF-8 text file; any other encoding is a ValueError naming the file."""
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as error:
        utf16 = path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
        raise ValueError(
            f"{path}: expected UTF-8 text, got {'a UTF-16 file' if utf16 else 'bytes that are not UTF-8'} "
            f"(byte {error.start}); save it again as UTF-8"
        ) from None


def _number_field(path: Path, line_number: int, value: str, what: str) -> float:
    try:
        return float(value)
    except ValueError:
        header = " (a header row? this file has none)" if line_number == 1 else ""
        raise ValueError(f"{path}:{line_number}: expected a number as {what}, got {value!r}{header}") from None


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
    for line_number, line in enumerate(_read_lines(path), start=1):
        fields = line.split("\t")
        if len(fields) < 7:
            raise ValueError(f"{path}:{line_number}: expected at least 7 tab-separated fields, got {len(fields)}")
        scores.append(_number_field(path, line_number, fields[4], "the score (field 5)"))
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
    for line_number, line in enumerate(_read_lines(path), start=1):
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
    lines = _read_lines(path)
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


# --------------------------------------------------------------------------- pairs for training (notebook 04)


def check_pairs(name: str, pairs: object, max_score: float | None = None) -> SentencePairs:
    """``pairs`` (SentencePairs or a tuple ``(sentences1, sentences2, scores)``) checked, as SentencePairs.

    Scores must be finite numbers (within ``[0, max_score]`` when given); ``name`` is the caller's
    argument name used in every message. A text header row shows up as a non-numeric score at index 0.
    """
    if isinstance(pairs, SentencePairs):
        first, second, scores = pairs.sentences1, pairs.sentences2, pairs.scores
    elif isinstance(pairs, tuple) and len(pairs) in (3, 4):
        first, second, scores = pairs[:3]
    else:
        raise TypeError(
            f"{name}: expected SentencePairs (e.g. from course_lib.data.load_sts_pairs()) or a tuple "
            f"(sentences1, sentences2, scores), got {describe(pairs)}"
        )
    for label, texts in (("sentences1", first), ("sentences2", second)):
        if not isinstance(texts, (list, tuple)):
            raise TypeError(f"{name}: expected {label} to be a list of strings, got {describe(texts)}")
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"{name}: expected {label} to be strings, got {describe(text)} at index {index}")
    if hasattr(scores, "detach"):  # a torch tensor
        scores = scores.detach().cpu().numpy()
    values = list(scores) if isinstance(scores, (list, tuple)) else None
    if values is not None:
        for index, value in enumerate(values):
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
                header = " (a header row?)" if index == 0 and isinstance(value, str) else ""
                raise TypeError(f"{name}: expected numeric scores, got {describe(value)} at index {index}{header}")
    gold = np.asarray(scores)
    if gold.dtype.kind not in "iuf":
        raise TypeError(f"{name}: expected numeric scores, got an array of dtype {gold.dtype}")
    gold = gold.astype(np.float64)
    if gold.ndim != 1 or not (len(first) == len(second) == gold.shape[0]):
        raise ValueError(
            f"{name}: expected as many scores as pairs, got {len(first)} first sentences, "
            f"{len(second)} second sentences and scores of shape {gold.shape}"
        )
    if len(first) == 0:
        raise ValueError(f"{name}: expected at least one pair, got none")
    if not np.isfinite(gold).all():
        raise ValueError(f"{name}: expected finite gold scores, got NaN or infinite values")
    if max_score is not None and (gold.min() < 0 or gold.max() > max_score):
        raise ValueError(
            f"{name}: expected gold scores between 0 and max_score={max_score:g}, "
            f"got values from {gold.min():g} to {gold.max():g}"
        )
    kinds = pairs.kinds if isinstance(pairs, SentencePairs) else None
    return SentencePairs(list(first), list(second), gold, kinds)


def split_pairs(pairs: SentencePairs, test_fraction: float = 1 / 3, seed: int = 0) -> tuple[SentencePairs, SentencePairs]:
    """Split into (train, held-out) at random; stratified by ``kinds`` when the pairs have them (notebook 04).

    Every kind keeps at least one pair on each side when it has two or more.
    """
    check_type("pairs", pairs, SentencePairs, "SentencePairs")
    test_fraction = check_number("test_fraction", test_fraction, 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    seed = check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    groups = pairs.kinds if pairs.kinds is not None else ["all"] * len(pairs.sentences1)
    test: list[int] = []
    for kind in dict.fromkeys(groups):
        members = [i for i, g in enumerate(groups) if g == kind]
        members = [members[i] for i in rng.permutation(len(members))]
        n_test = min(max(1, round(test_fraction * len(members))), len(members) - 1) if len(members) > 1 else 0
        test.extend(members[:n_test])
    test_set = set(test)
    train = [i for i in range(len(groups)) if i not in test_set]
    test = sorted(test)

    def take(indices: list[int]) -> SentencePairs:
        return SentencePairs(
            [pairs.sentences1[i] for i in indices],
            [pairs.sentences2[i] for i in indices],
            np.asarray(pairs.scores)[indices],
            None if pairs.kinds is None else [pairs.kinds[i] for i in indices],
        )

    return take(train), take(test)
