"""The pooling lab, headless: a correct function passes, subtly wrong ones fail the right check with a
readable reason, a crashing one is explained (never raised), and the leaderboard ranks entries."""

from __future__ import annotations

import pytest
import torch
from matplotlib.figure import Figure

from course_lib.learned_pooling import AttentionPooling
from course_lib.pooling import max_pool, mean_pool
from course_lib.widgets.pooling_lab import CHECK_NAMES, check_pooling_function, pooling_lab, pooling_lab_static, prepare_lab


def correct_mean(token_embeddings, attention_mask):
    weights = attention_mask.unsqueeze(-1).float()
    summed = (token_embeddings.float() * weights).sum(dim=1)
    return (summed / weights.sum(dim=1)).to(token_embeddings.dtype)


def unmasked_mean(token_embeddings, attention_mask):
    return token_embeddings.mean(dim=1)


def in_place_fill(token_embeddings, attention_mask):
    token_embeddings[attention_mask == 0] = 0.0
    return token_embeddings.float().sum(dim=1) / attention_mask.sum(dim=1, keepdim=True)


def crashing(token_embeddings, attention_mask):
    masked = token_embeddings * attention_mask
    return masked.sum(dim=1)


def std_pool(token_embeddings, attention_mask):
    x = token_embeddings.float()
    w = attention_mask.unsqueeze(-1).float()
    n = w.sum(dim=1)
    mean = (x * w).sum(dim=1) / n
    return (((x - mean.unsqueeze(1)) ** 2 * w).sum(dim=1) / (n - 1)).sqrt()  # NaN/inf for one token


@pytest.fixture(scope="module")
def lab(model):
    return prepare_lab(model, heads={"attention (uniform start)": AttentionPooling(model.hidden_size)})


def _by_name(results):
    return {r.name: r for r in results}


def test_a_correct_function_passes_every_check():
    for fn in (correct_mean, mean_pool, max_pool):
        results = check_pooling_function(fn)
        assert [r.name for r in results] == list(CHECK_NAMES)
        assert all(r.passed for r in results), [r.line for r in results]


def test_unmasked_mean_fails_both_padding_checks_only():
    results = _by_name(check_pooling_function(unmasked_mean))
    assert not results["padding on the right"].passed and not results["padding on the left"].passed
    assert "must get no weight" in results["padding on the right"].detail
    assert results["output shape"].passed and results["inputs unchanged"].passed


def test_in_place_fill_fails_inputs_unchanged():
    results = _by_name(check_pooling_function(in_place_fill))
    assert not results["inputs unchanged"].passed
    assert "token_embeddings in place" in results["inputs unchanged"].detail
    assert results["padding on the right"].passed


def test_a_crash_is_explained_from_the_learners_line():
    results = check_pooling_function(crashing)
    first = results[0]
    assert not first.passed
    assert first.detail.startswith("line 2 of crashing (`masked = token_embeddings * attention_mask`) raised RuntimeError")
    assert "unsqueeze(-1)" in first.detail and "Traceback" not in first.detail
    assert all("not run" in r.detail for r in results[1:])


def test_one_token_nan_and_float16_overflow_are_caught():
    results = _by_name(check_pooling_function(std_pool))
    assert not results["one-token sentences"].passed

    def float16_sum(token_embeddings, attention_mask):
        return (token_embeddings * attention_mask.unsqueeze(-1).to(token_embeddings.dtype)).sum(dim=1)

    results = _by_name(check_pooling_function(float16_sum))
    assert not results["float16 stays finite"].passed
    assert results["padding on the right"].passed


def test_non_tensor_and_none_results_are_reported():
    assert "returned None" in check_pooling_function(lambda x, m: None)[0].detail
    assert "expected a torch.Tensor" in check_pooling_function(lambda x, m: [1.0])[0].detail
    assert not check_pooling_function(lambda x, m: x.mean())[0].passed  # 0-d: wrong shape
    with pytest.raises(TypeError, match="fn"):
        check_pooling_function("mean")


def test_the_lab_scores_ranks_and_flags(lab):
    good = pooling_lab(correct_mean, lab)
    assert good.passed and good.scores is not None
    for dataset, value in good.scores.items():
        assert value == pytest.approx(lab.scores["mean"][dataset], abs=1e-6)
    assert any(row.kind == "yours" and row.name == "correct_mean" for row in good.leaderboard)
    assert [row.rank for row in good.leaderboard] == list(range(1, 9))
    assert isinstance(good.figure, Figure)
    text = repr(good)
    assert "Pass — output shape" in text and "passes all 6 checks" in text and "→" in text
    assert "<table>" in good._repr_html_()

    wrong = pooling_lab(unmasked_mean, lab, plot=False)
    assert not wrong.passed and "not trustworthy" in repr(wrong) and "(failed checks)" in repr(wrong)

    broken = pooling_lab(crashing, lab, plot=False)
    assert broken.scores is None and broken.rank is None
    assert "could not be scored" in repr(broken)
    assert all(row.kind != "yours" for row in broken.leaderboard)


def test_static_leaderboard(lab):
    figure = pooling_lab_static(lab)
    assert isinstance(figure, Figure)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert "mean" in labels and "attention (uniform start)" in labels
