"""Notebook 03, part 1: word-level baselines (course_lib.baselines), the linear classifier on top
(course_lib.classify), and the claim that the whole beats the parts, on bundled data and on SST-2."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_lib import data
from course_lib.baselines import (
    BAG_OF_WORDS,
    SENTENCE,
    WORD_PIECES,
    WORDS_ALONE,
    bag_of_words,
    featurize,
    isolated_word_average,
    static_word_average,
)
from course_lib.classify import (
    accuracy_by_group,
    accuracy_with_fewer_labels,
    mcnemar_p,
    out_of_fold_probabilities,
    train_test_probabilities,
)
from course_lib.embed import encode
from course_lib.sst2_comparison import compare_on_sst2

from conftest import require_real_data

# --------------------------------------------------------------------------- baselines


def test_static_word_average_is_the_mean_of_lookup_table_rows(model):
    texts = ["The film was not bad at all.", "Unbelievably tokenisable words."]
    table = model.model.embeddings.word_embeddings.weight.detach()
    expected = torch.stack([table[model.tokenizer(t, add_special_tokens=False)["input_ids"]].mean(0) for t in texts])
    result = static_word_average(texts, model)
    assert result.shape == (2, 384) and result.dtype == torch.float32
    torch.testing.assert_close(result, expected)
    assert torch.equal(static_word_average("", model), torch.zeros(1, 384))


def test_word_level_baselines_ignore_word_order_and_the_sentence_vector_does_not(model):
    pair = ["the service was good , not bad", "the service was bad , not good"]
    for features in (static_word_average(pair, model), isolated_word_average(pair, model)):
        torch.testing.assert_close(features[0], features[1], rtol=1e-5, atol=1e-6)
    assert (bag_of_words(pair)[0] != bag_of_words(pair)[1]).nnz == 0
    sentence = encode(pair, model)
    assert (sentence[0] - sentence[1]).abs().max() > 1e-2


def test_isolated_word_average_encodes_each_word_alone(model):
    text = "quiet rooms , friendly staff"
    words = text.split()
    expected = encode(words, model).mean(dim=0)
    torch.testing.assert_close(isolated_word_average(text, model)[0], expected, rtol=1e-5, atol=1e-6)
    assert torch.equal(isolated_word_average(["", "   "], model), torch.zeros(2, 384))


def test_bag_of_words_is_binary_and_keeps_negations():
    matrix = bag_of_words(["It was good, good, good.", "it was n't good", "I didn't like it"])
    assert matrix.shape[0] == 3 and set(np.unique(matrix.toarray())) == {0.0, 1.0}
    vocabulary = set(bag_of_words(["n't didn't not"], ["n't didn't not"]).indices.tolist())
    assert len(vocabulary) == 3  # three separate features: scikit-learn's default pattern would drop "n't"


def test_bag_of_words_uses_the_vocabulary_of_the_training_texts():
    train = ["great fun", "awful mess"]
    test = ["great unseen words", "awful"]
    features = bag_of_words(test, vocabulary_texts=train)
    assert features.shape == (2, 4)  # great, fun, awful, mess
    assert features.sum() == 2  # "unseen" and "words" are dropped
    with pytest.raises(ValueError, match="vocabulary_texts"):
        bag_of_words(["anything"], vocabulary_texts=["", "  "])


def test_a_vocabulary_from_all_texts_changes_no_prediction():
    # Why the benchmark may build the bag of words once on all training texts and then use subsets:
    # a word absent from the training subset is an all-zero column, and L2-regularised logistic
    # regression gives it weight 0, so the predictions are the same as with the subset's vocabulary.
    sentiment = data.load_sentiment()
    texts, labels = sentiment.texts, sentiment.labels
    subset = np.arange(0, 300, 3)
    rest = np.setdiff1d(np.arange(300), subset)
    small = bag_of_words([texts[i] for i in subset])
    small_test = bag_of_words([texts[i] for i in rest], vocabulary_texts=[texts[i] for i in subset])
    full = bag_of_words(texts)
    assert full.shape[1] > small.shape[1]
    p_small = train_test_probabilities(small, labels[subset], small_test)
    p_full = train_test_probabilities(full[subset], labels[subset], full[rest])
    np.testing.assert_allclose(p_small, p_full, atol=1e-4)


def test_featurize_dispatches_and_rejects_unknown_approaches(model):
    texts = ["A joy from start to finish.", "Not worth the money."]
    torch.testing.assert_close(featurize(SENTENCE, texts, model), encode(texts, model))
    torch.testing.assert_close(featurize(WORD_PIECES, texts, model), static_word_average(texts, model))
    torch.testing.assert_close(featurize(WORDS_ALONE, texts, model), isolated_word_average(texts, model))
    assert featurize(BAG_OF_WORDS, texts).shape[0] == 2
    with pytest.raises(ValueError, match="approach: expected one of .*got 'cls'"):
        featurize("cls", texts, model)
    with pytest.raises(TypeError, match="texts"):
        static_word_average(42, model)


# --------------------------------------------------------------------------- classify


def _separable(n=120, d=8, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    features = rng.normal(size=(n, d))
    features[:, 0] += 3.0 * (2 * labels - 1)
    return features, labels


def test_out_of_fold_probabilities_learn_a_separable_task_and_are_seeded():
    features, labels = _separable()
    p = out_of_fold_probabilities(features, labels, seed=0)
    assert p.shape == (120,) and ((p >= 0) & (p <= 1)).all()
    assert ((p > 0.5) == labels).mean() > 0.95
    np.testing.assert_array_equal(p, out_of_fold_probabilities(torch.tensor(features), labels, seed=0))
    assert not np.array_equal(p, out_of_fold_probabilities(features, labels, seed=1))


def test_out_of_fold_means_unseen():
    # Labels that are pure noise: a model that had seen a text would recall its label; out of fold it cannot.
    rng = np.random.default_rng(1)
    features = rng.normal(size=(200, 300))
    labels = rng.integers(0, 2, 200)
    in_sample = train_test_probabilities(features, labels, features)
    assert ((in_sample > 0.5) == labels).mean() == 1.0
    out_of_fold = out_of_fold_probabilities(features, labels)
    assert abs(((out_of_fold > 0.5) == labels).mean() - 0.5) < 0.12


def test_classify_rejects_bad_input():
    features, labels = _separable()
    with pytest.raises(ValueError, match="labels: expected binary labels"):
        out_of_fold_probabilities(features, labels + 1)
    with pytest.raises(ValueError, match=r"labels: expected shape \(120,\)"):
        out_of_fold_probabilities(features, labels[:10])
    with pytest.raises(ValueError, match="n_splits"):
        out_of_fold_probabilities(features, labels, n_splits=1)
    with pytest.raises(ValueError, match="strata"):
        out_of_fold_probabilities(features, labels, strata=["a"])
    with pytest.raises(TypeError, match="features: expected a torch.Tensor, numpy array or scipy sparse"):
        out_of_fold_probabilities(features.tolist(), labels)
    with pytest.raises(ValueError, match="test_features: expected 8 columns"):
        train_test_probabilities(features, labels, features[:, :3])
    with pytest.raises(ValueError, match="C: expected a number > 0.0, got 0.0"):
        train_test_probabilities(features, labels, features, C=0)


def test_accuracy_by_group_and_mcnemar():
    correct = np.array([True, False, True, True])
    assert accuracy_by_group(correct, ["a", "a", "b", "b"]) == {"a": 0.5, "b": 1.0}
    with pytest.raises(ValueError, match="groups"):
        accuracy_by_group(correct, ["a"])
    a = np.array([True] * 10 + [False] * 5)
    b = np.array([False] * 10 + [False] * 5)
    assert mcnemar_p(a, b) == pytest.approx(2 * 0.5**10)  # 10 discordant texts, all won by A
    assert mcnemar_p(a, a) == 1.0
    with pytest.raises(ValueError, match="correct_b: expected shape"):
        mcnemar_p(a, b[:3])


def test_fewer_labels_gives_every_approach_the_same_draws():
    features, labels = _separable(n=200)
    noise = np.random.default_rng(3).normal(size=features.shape)
    train = {"signal": features[:150], "same signal": features[:150].copy(), "noise": noise[:150]}
    test = {"signal": features[150:], "same signal": features[150:], "noise": noise[150:]}
    result = accuracy_with_fewer_labels(train, labels[:150], test, labels[150:], n_labels=20, repeats=3)
    assert len(result["signal"]) == 3 and result["signal"] == result["same signal"]
    assert np.mean(result["signal"]) > np.mean(result["noise"]) + 0.2
    everything = accuracy_with_fewer_labels(train, labels[:150], test, labels[150:], n_labels=150, repeats=3)
    assert len(everything["signal"]) == 1
    with pytest.raises(ValueError, match="n_labels"):
        accuracy_with_fewer_labels(train, labels[:150], test, labels[150:], n_labels=151)
    with pytest.raises(ValueError, match="test_features: expected a dict with the same approaches"):
        accuracy_with_fewer_labels(train, labels[:150], {"signal": test["signal"]}, labels[150:], n_labels=20)


# --------------------------------------------------------------------------- the claim


def test_on_the_bundled_reviews_the_whole_beats_the_parts(model):
    sentiment = data.load_sentiment()
    groups = np.array(sentiment.groups)
    correct = {}
    for approach in (SENTENCE, WORD_PIECES, BAG_OF_WORDS):
        p = out_of_fold_probabilities(featurize(approach, sentiment.texts, model), sentiment.labels, strata=groups)
        correct[approach] = (p > 0.5) == (sentiment.labels == 1)
    accuracy = {a: c.mean() for a, c in correct.items()}
    assert accuracy[SENTENCE] > accuracy[WORD_PIECES] + 0.05 > accuracy[BAG_OF_WORDS] + 0.05
    negation = groups == "negation"
    assert correct[SENTENCE][negation].mean() > correct[WORD_PIECES][negation].mean() + 0.15


@pytest.mark.real_data
def test_on_sst2_sentence_embeddings_beat_both_word_level_baselines(model):
    require_real_data("sst2")
    approaches = (SENTENCE, WORD_PIECES, BAG_OF_WORDS)  # "words encoded alone" only in the benchmark: slow
    result = compare_on_sst2(approaches, label_sizes=(1000,), repeats=3, model=model)
    assert (result.n_train, result.n_test) == (6920, 1821)
    accuracy = result.all_labels
    assert accuracy[SENTENCE] > accuracy[WORD_PIECES] and accuracy[SENTENCE] > accuracy[BAG_OF_WORDS]
    assert 0.78 < accuracy[SENTENCE] < 0.86  # all-MiniLM-L6-v2 + logistic regression, no fine-tuning
    assert result.mcnemar[WORD_PIECES] < 0.05 < result.mcnemar[BAG_OF_WORDS]  # notebook 03, section 1.6
    # With few labels the margin is wide: the pretrained vector brings what 1000 labels cannot teach.
    mean = {a: float(np.mean(v)) for a, v in result.fewer[1000].items()}
    assert mean[SENTENCE] > max(mean[WORD_PIECES], mean[BAG_OF_WORDS]) + 0.02
    table = result.table().splitlines()
    assert len(table) == 2 + len(approaches) and "McNemar" in table[0]


@pytest.mark.parametrize("approaches", [(BAG_OF_WORDS,), (SENTENCE, "tf-idf")])
def test_compare_on_sst2_needs_known_approaches_and_the_sentence_embedding(approaches):
    with pytest.raises(ValueError, match="approaches"):
        compare_on_sst2(approaches)


def test_mcnemar_accepts_0_1_ints_and_names_the_bad_argument():
    from course_lib.classify import mcnemar_p

    a, b = [True] * 8 + [False] * 2, [False] * 8 + [True] * 2
    assert mcnemar_p(np.array(a, dtype=int), np.array(b, dtype=int)) == pytest.approx(mcnemar_p(a, b))
    with pytest.raises(ValueError, match="correct_b: expected True/False \\(or 0/1\\) values, got values such as 2"):
        mcnemar_p(a, [2] * 10)
    with pytest.raises(ValueError, match=r"correct_b: expected shape \(10,\) like correct_a, got \(3,\)"):
        mcnemar_p(a, [True] * 3)
