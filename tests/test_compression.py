"""Notebook 03, parts 2 and 3: clustering (course_lib.clustering), texts of growing length
(course_lib.long_texts), token-level scoring (course_lib.late_interaction) and the word-content
probe (course_lib.probes)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import adjusted_rand_score

from course_lib import data
from course_lib.clustering import kmeans_clusters, purity
from course_lib.embed import encode
from course_lib.late_interaction import maxsim, maxsim_matrix, token_sets
from course_lib.long_texts import hide_needles, pack_sentences
from course_lib.probes import content_words, word_content_features, word_content_pairs

# --------------------------------------------------------------------------- clustering


def test_purity_by_hand_and_its_blind_spot():
    truth = [0, 0, 0, 1, 1, 2]
    assert purity(truth, [5, 5, 7, 7, 7, 9]) == pytest.approx(5 / 6)  # cluster 7 holds 0,1,1 -> majority 2
    assert purity(truth, truth) == 1.0
    assert purity(truth, range(6)) == 1.0  # one cluster per item is "pure": read ARI as well
    assert purity(["a", "a", "b", "b"], ["x", "y", "x", "y"]) == 0.5  # labels may be strings
    assert purity(torch.tensor(truth), np.array([1, 1, 1, 2, 2, 2])) == pytest.approx(5 / 6)
    with pytest.raises(ValueError, match="cluster_ids: expected 6 ids"):
        purity(truth, [0, 1])
    with pytest.raises(ValueError, match="true_labels"):
        purity([], [])


def test_kmeans_finds_obvious_clusters_and_checks_its_input():
    rng = np.random.default_rng(0)
    centres = np.eye(4)[:3] * 10
    points = np.concatenate([c + rng.normal(size=(20, 4)) for c in centres])
    truth = np.repeat(np.arange(3), 20)
    ids = kmeans_clusters(points, k=3)
    assert ids.shape == (60,) and purity(truth, ids) == 1.0
    np.testing.assert_array_equal(ids, kmeans_clusters(torch.tensor(points), k=3))
    ragged = [np.zeros((3, 4)), np.zeros((5, 4))]
    with pytest.raises(ValueError, match="embeddings: expected a rectangular array .*pool them into sentence vectors first.*got ragged rows"):
        kmeans_clusters(ragged, k=2)  # a list of token matrices of different lengths is not (n, hidden)
    with pytest.raises(ValueError, match=r"embeddings: expected 2 dimensions \(n, hidden\): one fixed-length vector per text"):
        kmeans_clusters(np.zeros((4, 3, 2)), k=2)
    with pytest.raises(ValueError, match=r"k: expected an int in \[1, "):
        kmeans_clusters(points, k=0)


def test_topics_cluster_with_sentence_embeddings(model):
    corpus = data.load_topic_corpus()
    vectors = encode(corpus.texts, model)
    ids = kmeans_clusters(vectors, k=6, seed=0)
    assert purity(corpus.labels, ids) > 0.8 and adjusted_rand_score(corpus.labels, ids) > 0.6
    raw = kmeans_clusters(vectors, k=6, seed=0, normalize=False)
    assert adjusted_rand_score(corpus.labels, ids) > adjusted_rand_score(corpus.labels, raw)


# --------------------------------------------------------------------------- token sets and MaxSim


def test_token_sets_keep_real_tokens_and_average_to_the_sentence_embedding(model):
    texts = ["Short.", "A somewhat longer sentence about the history of bicycles.", "Mid length text here."]
    sets = token_sets(texts, model, batch_size=2)
    lengths = [len(model.tokenizer(t)["input_ids"]) for t in texts]
    assert [tuple(s.shape) for s in sets] == [(n, 384) for n in lengths]
    torch.testing.assert_close(torch.stack([s.mean(0) for s in sets]), encode(texts, model), rtol=1e-4, atol=1e-5)
    assert len(token_sets("x " * 400, model, max_length=32)[0]) == 32


def _brute_force_maxsim(q, d):
    best = []
    for qi in q:
        best.append(max(float(torch.nn.functional.cosine_similarity(qi, di, dim=0)) for di in d))
    return sum(best) / len(best)


def test_maxsim_matches_the_definition_and_the_matrix_matches_maxsim():
    gen = torch.Generator().manual_seed(0)
    queries = [torch.randn(n, 16, generator=gen) for n in (3, 5)]
    docs = [torch.randn(n, 16, generator=gen) for n in (4, 9, 1)]
    expected = torch.tensor([[_brute_force_maxsim(q, d) for d in docs] for q in queries])
    torch.testing.assert_close(torch.tensor([[maxsim(q, d) for d in docs] for q in queries]), expected)
    torch.testing.assert_close(maxsim_matrix(queries, docs), expected)
    assert maxsim(docs[1][2:4], docs[1]) == pytest.approx(1.0)  # every query token is in the document


def test_maxsim_rejects_bad_input():
    x = torch.randn(3, 8)
    with pytest.raises(ValueError, match="doc_tokens: expected hidden size 8"):
        maxsim(x, torch.randn(3, 4))
    with pytest.raises(TypeError, match="query_tokens: expected a torch.Tensor"):
        maxsim(x.numpy(), x)
    with pytest.raises(ValueError, match=r"docs\[1\]: expected hidden size 8"):
        maxsim_matrix([x], [x, torch.randn(2, 5)])
    with pytest.raises(TypeError, match="queries: expected a list of \\(tokens, hidden\\) tensors"):
        maxsim_matrix(x, [x])


# --------------------------------------------------------------------------- long texts


def test_hide_needles_is_seeded_nested_and_keeps_the_needle():
    filler = [f"Filler sentence {i}." for i in range(30)]
    needles = ["NEEDLE one.", "NEEDLE two."]
    short, long = hide_needles(needles, filler, 2, seed=0), hide_needles(needles, filler, 8, seed=0)
    assert short == hide_needles(needles, filler, 2, seed=0)
    assert short != hide_needles(needles, filler, 2, seed=1)
    for i, needle in enumerate(needles):
        assert long.sentences[i][long.positions[i]] == needle and long.texts[i] == " ".join(long.sentences[i])
        assert len(long.sentences[i]) == 9 and len(set(long.sentences[i])) == 9
        assert set(short.sentences[i]) - {needle} <= set(long.sentences[i])  # more filler only adds
    assert hide_needles(needles, filler, 0).texts == needles
    with pytest.raises(ValueError, match=r"n_filler: expected an int in \[0, 30\], got 31"):
        hide_needles(needles, filler, 31)


def test_pack_sentences_fits_the_budget_and_loses_nothing(model):
    sentences = data.load_topic_corpus().texts[:40]
    chunks = pack_sentences(sentences, max_tokens=64, model=model)
    assert " ".join(chunks) == " ".join(sentences)
    assert all(len(model.tokenizer(c)["input_ids"]) <= 64 for c in chunks)
    assert len(chunks) < len(sentences)
    assert pack_sentences(["one long sentence " * 20, "short."], max_tokens=16, model=model)[0].startswith("one long")
    with pytest.raises(ValueError, match="max_tokens: expected an int >= 3, got 2"):
        pack_sentences(sentences, 2, model)


# --------------------------------------------------------------------------- word-content probe


def test_content_words_and_balanced_pairs():
    assert content_words("The cat sat on the Cat's mat, and it SAT.") == ["cat", "mat", "sat"]
    texts = ["The striker scored twice.", "Heat the oil in a large pan.", "the of and"]
    vocabulary = ["striker", "scored", "twice", "heat", "oil", "large", "pan", "violin", "rocket"]
    pairs = word_content_pairs(texts, vocabulary, per_text=2, seed=0)
    again = word_content_pairs(texts, vocabulary, per_text=2, seed=0)
    assert pairs.words == again.words and np.array_equal(pairs.text_index, again.text_index)
    assert 2 not in pairs.text_index  # a text of stopwords has nothing to probe
    for i, word, label in zip(pairs.text_index, pairs.words, pairs.labels):
        assert (word in content_words(texts[i])) == bool(label)
    assert pairs.labels.mean() == 0.5
    with pytest.raises(ValueError, match="per_text"):
        word_content_pairs(texts, vocabulary, per_text=0)


def test_word_content_features_sum_to_the_cosine():
    gen = torch.Generator().manual_seed(0)
    a, b = torch.randn(5, 12, generator=gen), torch.randn(5, 12, generator=gen)
    features = word_content_features(a, b)
    torch.testing.assert_close(features.sum(dim=1), torch.nn.functional.cosine_similarity(a, b))
    with pytest.raises(ValueError, match="word_vectors: expected the shape of text_vectors"):
        word_content_features(a, b[:2])


def test_a_detail_fades_from_the_single_vector_but_not_from_maxsim(model):
    # The notebook's needle experiment, small: 12 needles, no filler vs 16 filler sentences.
    pairs = data.load_sts_pairs()
    chosen = [i for i, kind in enumerate(pairs.kinds) if kind == "paraphrase"][:12]
    needles = [pairs.sentences1[i] for i in chosen]
    queries = token_sets([pairs.sentences2[i] for i in chosen], model)
    query_vectors = torch.stack([q.mean(0) for q in queries])
    filler = data.load_topic_corpus().texts
    recall = {}
    for n in (0, 16):
        docs = token_sets(hide_needles(needles, filler, n, seed=0).texts, model)
        doc_vectors = torch.stack([d.mean(0) for d in docs])
        unit = torch.nn.functional.normalize
        single = unit(query_vectors, dim=1) @ unit(doc_vectors, dim=1).T
        hits = torch.arange(len(needles))
        recall[n] = (float((single.argmax(1) == hits).float().mean()),
                     float((maxsim_matrix(queries, docs).argmax(1) == hits).float().mean()))
    assert recall[0][0] >= 0.9 and recall[0][1] >= 0.9
    assert recall[16][0] < recall[0][0] - 0.2  # the single vector loses the detail
    assert recall[16][1] > recall[16][0] + 0.2  # token-level MaxSim keeps it


def test_kmeans_on_strings_says_to_embed_them_first():
    with pytest.raises(TypeError, match=r"embeddings: expected one vector per text.*got a list of strings \(embed the texts first"):
        kmeans_clusters(["a cat", "a dog"], k=2)
