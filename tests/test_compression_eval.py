"""course_lib.compression_eval (notebook 07): one setting's quality, the sweep, rescoring, the plot."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pytest
import torch

from course_lib import compression_eval as ce
from course_lib import data
from course_lib.compress_plots import plot_quality_vs_bytes
from course_lib.evaluate import sts_spearman
from course_lib.retrieval import ndcg_at_k, pairs_retrieval_task
from course_lib.similarity import cosine


@pytest.fixture(scope="module")
def prepared(model):
    pairs = data.load_sts_pairs()
    task = pairs_retrieval_task(pairs.sentences1, pairs.sentences2, pairs.scores, distractors=data.load_topic_corpus().texts)
    return ce.prepare(task, pairs.sentences1, pairs.sentences2, pairs.scores,
                      data.load_sentiment().texts + data.load_topic_corpus().texts, model, show_progress=False)


def test_float32_at_full_size_is_plain_cosine(prepared):
    reference = ce.evaluate(prepared)
    assert reference.spearman == pytest.approx(sts_spearman(prepared.sts_a, prepared.sts_b, prepared.sts_gold))
    scores = cosine(prepared.queries, prepared.corpus)
    assert reference.ndcg == pytest.approx(ndcg_at_k(scores, list(prepared.task.relevant), 10, list(prepared.task.exclude)))
    assert ce.kept(reference, reference) == (100.0, 100.0, 100.0) and reference.bytes_per_vector == 1536


def test_prepare_encodes_each_role_consistently(prepared):
    row = prepared.task.corpus.index(prepared.task.queries[0])
    torch.testing.assert_close(prepared.queries[0], prepared.corpus[row])
    assert prepared.pca.dims == 384 and prepared.fit.shape == (510, 384)


def test_sweep_covers_the_grid_in_order(prepared):
    rows = ce.sweep(prepared, dims=(16, 384), bits=(32, 1), reductions=("truncate",))
    assert [(r.dims, r.bits) for r in rows] == [(16, 32), (384, 32), (16, 1), (384, 1)]
    assert rows[2].bytes_per_vector == 2 and rows[0].spearman < rows[1].spearman


def test_rescoring_every_candidate_equals_float32_retrieval(prepared):
    everything = ce.evaluate_rescore(prepared, multiplier=len(prepared.task.corpus))
    reference = ce.evaluate(prepared)
    assert everything.ndcg == pytest.approx(reference.ndcg) and everything.recall == pytest.approx(reference.recall)


def test_top_k_at_full_float32_is_the_cosine_ranking(prepared):
    ids, scores = ce.top_k(prepared, prepared.queries[0], 384, 32, "truncate", k=3)
    expected = torch.topk(cosine(prepared.queries[:1], prepared.corpus)[0], 3)
    assert ids.tolist() == expected.indices.tolist()


def test_plot_returns_a_closed_figure_with_two_panels(prepared, no_open_figures_and_no_global_style):
    reference = ce.evaluate(prepared)
    rows = ce.sweep(prepared, dims=(32, 384), bits=(32, 1))
    fig = plot_quality_vs_bytes(rows, reference, extra=[ce.evaluate_rescore(prepared)], title="t")
    assert len(fig.axes) == 2 and fig.axes[0].get_xscale() == "log"
    assert plt.get_fignums() == []
    with pytest.raises(ValueError, match=re.escape("rows: expected a non-empty list of Quality rows")):
        plot_quality_vs_bytes([], reference)
    with pytest.raises(TypeError, match=re.escape("extra: expected Quality rows from course_lib.compression_eval, got 3 at index 1")):
        plot_quality_vs_bytes(rows, reference, extra=[reference, 3])


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"bits": 3}, ValueError, "bits: expected one of [32, 16, 8, 1]"),
        ({"reduction": "random"}, ValueError, "reduction: expected one of ['truncate', 'pca']"),
        ({"dims": 500}, ValueError, "dims: expected an int in [1, 384], got 500"),
    ],
)
def test_bad_settings_get_a_clear_error(prepared, kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        ce.evaluate(prepared, **kwargs)
