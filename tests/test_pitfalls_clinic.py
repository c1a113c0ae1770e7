"""Notebook 09 keeps the buggy code of every clinic case: each must still show its symptom, and each fix must remove it.

The code cells tagged ``buggy`` in notebooks/09_pitfalls_clinic.ipynb (each starts with ``# BUG``) are
executed here on their own, and their functions are run on small inputs next to the course_lib fix, so
the clinic cannot silently stop demonstrating anything.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib import pooling
from course_lib.data import load_sts_pairs, load_topic_corpus
from course_lib.embed import encode, encode_all_methods, encode_tokens
from course_lib.evaluate import sts_spearman, top_k_overlap
from course_lib.pitfalls import (
    calibrate_threshold,
    chunk_max_scores,
    encode_chunked,
    recall_at_k,
    threshold_accuracy,
    trained_setup,
    with_prefix,
)
from course_lib.similarity import cosine, paired

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "09_pitfalls_clinic.ipynb"
BUGGY_FUNCTIONS = [
    "embed_with_pooler_output",
    "embed_mean_not_normalized",
    "encode_unmasked_mean",
    "naive_last_token",
    "forward_left_padded",
    "embed_first_token",
    "search_by_dot",
    "is_related",
    "index_documents",
    "search_with_one_sided_prefix",
    "max_pool_constant_fill",
]


@pytest.fixture(scope="module")
def bugs() -> dict:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    cells = [c for c in notebook.cells if c.cell_type == "code" and "buggy" in c.metadata.get("tags", [])]
    assert len(cells) == 9, f"expected one buggy cell per case (9) in {NOTEBOOK.name}, found {len(cells)}"
    assert all(cell.source.startswith("# BUG") for cell in cells), "every buggy cell opens with a '# BUG' comment"
    namespace: dict = {"torch": torch, "F": F, "encode": encode}
    for cell in cells:
        exec(compile(cell.source, f"{NOTEBOOK.name}:buggy", "exec"), namespace)
    missing = [name for name in BUGGY_FUNCTIONS if not callable(namespace.get(name))]
    assert not missing, f"buggy cells no longer define {missing}"
    return namespace


@pytest.fixture(scope="module")
def pair_vectors(model):
    pairs = load_sts_pairs()
    first = encode_all_methods(pairs.sentences1, model, ["mean", "cls"], show_progress=False)
    second = encode_all_methods(pairs.sentences2, model, ["mean", "cls"], show_progress=False)
    return pairs, first, second


SHORT_AND_LONG = ["Dogs bark.", "Within a single decade, cycling clubs had spread across Europe and America, and the "
                  "humble little bicycle had changed how people travelled and worked."]


def test_case1_raw_transformers_differs_and_encode_matches_sentence_transformers(bugs, model, st_model):
    texts = load_topic_corpus().texts[:40]
    reference = st_model.encode(texts, convert_to_tensor=True)
    pooler = bugs["embed_with_pooler_output"](texts, model)
    assert F.cosine_similarity(pooler, reference).mean() < 0.3
    unnormalized = bugs["embed_mean_not_normalized"](texts, model)
    norms = unnormalized.norm(dim=1)
    assert norms.min() > 2 and norms.max() / norms.min() > 1.3  # not unit vectors: dot ranks by length
    dot_scores = (unnormalized @ unnormalized.T).fill_diagonal_(-1e4)
    reference_scores = (reference @ reference.T).fill_diagonal_(-1e4)
    assert top_k_overlap(dot_scores, reference_scores, k=5) < 0.95
    setup = trained_setup()
    fixed = encode(texts, model, pooling=setup["pooling"][0], normalize=setup["normalize"])
    torch.testing.assert_close(fixed, reference, atol=1e-5, rtol=1e-4)


def test_case2_unmasked_mean_depends_on_the_batch_and_encode_does_not(bugs, model):
    alone = bugs["encode_unmasked_mean"](SHORT_AND_LONG[:1], model, 1)[0]
    in_batch = bugs["encode_unmasked_mean"](SHORT_AND_LONG, model, 2)[0]
    assert F.cosine_similarity(alone, in_batch, dim=0) < 0.95
    fixed_alone = encode(SHORT_AND_LONG[:1], model, batch_size=1)[0]
    fixed_in_batch = encode(SHORT_AND_LONG, model, batch_size=2)[0]
    assert F.cosine_similarity(fixed_alone, fixed_in_batch, dim=0) > 0.9999
    torch.testing.assert_close(alone, fixed_alone, atol=1e-5, rtol=1e-4)  # batch of 1: no pads, no bug


def test_case3_column_indexing_and_left_padding_break_and_the_mask_fixes_them(bugs, model):
    right = encode_tokens(SHORT_AND_LONG, model)
    naive = bugs["naive_last_token"](right.hidden, right.attention_mask)
    true_last = pooling.last_token_pool(right.hidden, right.attention_mask)
    assert F.cosine_similarity(naive[0], true_last[0], dim=0) < 0.9  # the short row reads a pad
    side_before = model.tokenizer.padding_side
    hidden, mask = bugs["forward_left_padded"](SHORT_AND_LONG, model)
    assert model.tokenizer.padding_side == side_before  # the buggy helper must not leak its padding side
    true_mean = encode(SHORT_AND_LONG, model)
    assert F.cosine_similarity(pooling.mean_pool(hidden, mask)[0], true_mean[0], dim=0) < 0.95
    fixed = encode_tokens(SHORT_AND_LONG, model, padding_side="left")
    torch.testing.assert_close(pooling.mean_pool(fixed.hidden, fixed.attention_mask), true_mean, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(pooling.last_token_pool(fixed.hidden, fixed.attention_mask), true_last, atol=1e-4, rtol=1e-4)


def test_case4_first_token_on_a_mean_model_is_worse_and_crowded(bugs, model, pair_vectors):
    pairs, first, second = pair_vectors
    cls_1 = bugs["embed_first_token"](pairs.sentences1, model)
    cls_2 = bugs["embed_first_token"](pairs.sentences2, model)
    torch.testing.assert_close(cls_1, first["cls"], atol=1e-4, rtol=1e-4)  # it is the CLS readout
    assert trained_setup()["pooling"] == ["mean"]
    assert sts_spearman(cls_1, cls_2, pairs.scores) < sts_spearman(first["mean"], second["mean"], pairs.scores)
    unrelated = np.array(pairs.kinds) == "unrelated"
    assert paired(cls_1, cls_2)[unrelated].mean() > paired(first["mean"], second["mean"])[unrelated].mean() + 0.3


def test_case5_dot_on_raw_vectors_ranks_by_norm_and_normalising_fixes_it(bugs, model, pair_vectors):
    pairs, first, second = pair_vectors
    assert sts_spearman(first["mean"], second["mean"], pairs.scores, "dot") < sts_spearman(
        first["mean"], second["mean"], pairs.scores, "cosine") - 0.05
    texts = load_topic_corpus().texts
    raw = encode(texts, model)
    by_cosine = cosine(raw, raw).topk(10, dim=1).indices
    assert not torch.equal(bugs["search_by_dot"](raw, raw, 10), by_cosine)
    unit = encode(texts, model, normalize=True)
    assert torch.equal(bugs["search_by_dot"](unit, unit, 10), by_cosine)  # the fix: dot on unit vectors = cosine


def test_case6_borrowed_threshold_fails_and_a_calibrated_one_works(bugs, pair_vectors):
    pairs, first, second = pair_vectors
    kinds = np.array(pairs.kinds)
    task = np.isin(kinds, ["paraphrase", "related", "unrelated"])
    related = np.isin(kinds, ["paraphrase", "related"])[task]
    calibration = np.arange(task.sum()) % 2 == 0
    held_out = ~calibration
    borrowed = calibrate_threshold(paired(first["cls"], second["cls"])[task].numpy()[calibration], related[calibration])
    predicted = bugs["is_related"](first["mean"][task][held_out], second["mean"][task][held_out], borrowed).numpy()
    borrowed_accuracy = (predicted == related[held_out]).mean()
    mean_scores = paired(first["mean"], second["mean"])[task].numpy()
    own = calibrate_threshold(mean_scores[calibration], related[calibration])
    assert threshold_accuracy(mean_scores[held_out], related[held_out], own) > borrowed_accuracy + 0.1


def _needle_documents(model, n_documents=10):
    pairs, texts = load_sts_pairs(), load_topic_corpus().texts
    rows = np.flatnonzero(np.array(pairs.kinds) == "paraphrase")[:n_documents]
    rng = np.random.default_rng(0)
    documents = []
    for row in rows:
        order, filler = rng.permutation(len(texts)), []
        while len(model.tokenizer(" ".join(filler))["input_ids"]) < 300:
            filler.append(texts[order[len(filler)]])
        documents.append(filler + [pairs.sentences1[row]])
    return documents, [pairs.sentences2[row] for row in rows]


def test_case7_needle_past_the_limit_never_counts_and_chunks_find_it(bugs, model):
    documents, queries = _needle_documents(model)
    with_needle = bugs["index_documents"]([" ".join(d) for d in documents], model)
    without_needle = bugs["index_documents"]([" ".join(d[:-1]) for d in documents], model)
    torch.testing.assert_close(with_needle, without_needle)  # the needle does not change the vector at all
    query_vectors = encode(queries, model, normalize=True)
    targets = torch.arange(len(documents))
    chunk_vectors, owner = encode_chunked(documents, model, max_tokens=32)
    assert recall_at_k(chunk_max_scores(query_vectors @ chunk_vectors.T, owner), targets, k=1) >= 0.8


def test_case8_one_sided_prefix_moves_the_scores_and_consistency_restores_them(bugs, model):
    pairs = load_sts_pairs()
    rows = np.flatnonzero(np.array(pairs.kinds) == "paraphrase")[:12]
    queries, passages = [pairs.sentences1[i] for i in rows], [pairs.sentences2[i] for i in rows]
    one_sided = bugs["search_with_one_sided_prefix"](queries, passages, model)
    consistent = encode(queries, model, normalize=True) @ encode(passages, model, normalize=True).T
    assert (one_sided - consistent).abs().max() > 0.05
    both = encode(with_prefix(queries, "query: "), model, normalize=True) @ encode(
        with_prefix(passages, "passage: "), model, normalize=True).T
    assert (both - consistent).abs().max() > 0.01  # a prefix is never free: it moves the vectors


def test_case9_constant_fill_is_nan_in_float16_and_finfo_min_is_finite(bugs, model):
    right = encode_tokens(SHORT_AND_LONG, model)
    half = right.hidden.half()
    assert bugs["max_pool_constant_fill"](half, right.attention_mask).isnan().all()
    fixed = pooling.max_pool(half, right.attention_mask)
    assert fixed.isfinite().all()
    torch.testing.assert_close(fixed.float(), pooling.max_pool(right.hidden, right.attention_mask), atol=1e-2, rtol=1e-2)
