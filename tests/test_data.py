"""course_lib.data: the bundled sets and the real-data loaders."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import data

from conftest import require_real_data


def test_bundled_sts_pairs():
    pairs = data.load_sts_pairs()
    assert len(pairs.sentences1) == len(pairs.sentences2) == len(pairs.scores) == len(pairs.kinds) >= 150
    assert pairs.scores.min() >= 0 and pairs.scores.max() <= 5
    assert {"paraphrase", "related", "unrelated"} <= set(pairs.kinds)
    counts, _ = np.histogram(pairs.scores, bins=[0, 1, 2, 3, 4, 5.01])
    assert (counts >= 10).all(), counts  # the whole 0-5 range is covered


def test_bundled_sentiment():
    sentiment = data.load_sentiment()
    assert len(sentiment.texts) == 300 and set(sentiment.labels.tolist()) == {0, 1}
    assert abs(int(sentiment.labels.sum()) - 150) <= 5
    assert {"negation", "contrast"} <= set(sentiment.groups)


def test_bundled_topic_corpus():
    corpus = data.load_topic_corpus()
    assert 180 <= len(corpus.texts) <= 240 and len(set(corpus.groups)) == 6
    assert len(set(corpus.texts)) == len(corpus.texts)


def test_missing_real_data_says_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.delenv(data.DATA_ENV_VAR, raising=False)
    assert data.data_dir() is None and not data.has_real_data()
    with pytest.raises(FileNotFoundError, match="COURSE_DATA_DIR is not set.*datasets"):
        data.load_stsb("test")
    monkeypatch.setenv(data.DATA_ENV_VAR, str(tmp_path))
    with pytest.raises(FileNotFoundError, match="sts-dev.csv does not exist"):
        data.load_stsb("dev")
    with pytest.raises(FileNotFoundError, match="SST-2"):
        data.load_sst2("train")


def test_unknown_split_is_rejected():
    with pytest.raises(ValueError, match="split: expected one of \\['train', 'dev', 'test'\\], got 'validation'"):
        data.load_stsb("validation")


def test_stsb_parses_extra_fields_and_quotes(monkeypatch, tmp_path):
    folder = tmp_path / "stsbenchmark"
    folder.mkdir()
    (folder / "sts-test.csv").write_text(
        'main-news\tMSRvid\t2012test\t0001\t4.2\tA "quoted" man.\tA man.\textra\tfields\n'
        "main-forums\tdeft\t2014\t0002\t0.0\tOne.\tTwo.\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(data.DATA_ENV_VAR, str(tmp_path))
    pairs = data.load_stsb("test")
    assert pairs.sentences1 == ['A "quoted" man.', "One."] and pairs.sentences2 == ["A man.", "Two."]
    assert pairs.scores.tolist() == [4.2, 0.0]


@pytest.mark.real_data
def test_real_stsb_sizes():
    require_real_data("stsbenchmark")
    sizes = {split: len(data.load_stsb(split).scores) for split in ("train", "dev", "test")}
    assert sizes == {"train": 5749, "dev": 1500, "test": 1379}


@pytest.mark.real_data
def test_real_sst2_sizes():
    require_real_data("sst2")
    sizes = {split: len(data.load_sst2(split).labels) for split in ("train", "dev", "test")}
    assert sizes == {"train": 6920, "dev": 872, "test": 1821}


def test_split_pairs_is_stratified_disjoint_and_seeded():
    pairs = data.load_sts_pairs()
    train, test = data.split_pairs(pairs, test_fraction=1 / 3, seed=0)
    assert len(train.sentences1) + len(test.sentences1) == len(pairs.sentences1)
    train_keys = set(zip(train.sentences1, train.sentences2))
    assert not train_keys & set(zip(test.sentences1, test.sentences2))
    for kind in set(pairs.kinds):
        total = pairs.kinds.count(kind)
        assert abs(test.kinds.count(kind) - total / 3) <= 1, kind
    again, _ = data.split_pairs(pairs, seed=0)
    other, _ = data.split_pairs(pairs, seed=1)
    assert again.sentences1 == train.sentences1 and other.sentences1 != train.sentences1
    with pytest.raises(ValueError, match="test_fraction"):
        data.split_pairs(pairs, test_fraction=1.0)
    with pytest.raises(TypeError, match="pairs: expected SentencePairs"):
        data.split_pairs(list(pairs), 0.3)


def test_load_stsb_names_the_file_and_line_for_a_header_row_or_utf16(tmp_path, monkeypatch):
    folder = tmp_path / "stsbenchmark"
    folder.mkdir()
    row = "main-captions\tMSRvid\t2012test\t0001\t{score}\tA man plays.\tA man is playing.\n"
    (folder / "sts-test.csv").write_text("genre\tfile\tyear\tid\tscore\ts1\ts2\n" + row.format(score="5.0"))
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(ValueError, match=r"sts-test.csv:1: expected a number as the score .*'score' \(a header row"):
        data.load_stsb("test")
    (folder / "sts-test.csv").write_text(row.format(score="5.0"), encoding="utf-16")
    with pytest.raises(ValueError, match=r"sts-test.csv: expected UTF-8 text, got a UTF-16 file"):
        data.load_stsb("test")
    (folder / "sts-test.csv").write_text(row.format(score="4.5"), encoding="utf-8")
    assert data.load_stsb("test").scores.tolist() == [4.5]


@pytest.mark.parametrize(
    ("pairs", "error", "text"),
    [
        ((["s1", "a"], ["s2", "b"], ["score", 3.0]), TypeError, r"pairs: expected numeric scores, got 'score' at index 0 \(a header row\?\)"),
        ((["a"], ["b"], np.array(["3.0"])), TypeError, "pairs: expected numeric scores, got an array of dtype <U3"),
        ((["a"], [1], [3.0]), TypeError, "pairs: expected sentences2 to be strings, got 1 at index 0"),
        ("a b", TypeError, "pairs: expected SentencePairs"),
        ((["a"], ["b"], [float("nan")]), ValueError, "pairs: expected finite gold scores"),
    ],
)
def test_check_pairs_names_the_argument_and_the_bad_row(pairs, error, text):
    with pytest.raises(error, match=text):
        data.check_pairs("pairs", pairs, 5.0)
