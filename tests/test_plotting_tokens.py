"""course_lib.plotting.plot_pooled_tokens: token heatmap above the pooled strip, one scale, closed figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from course_lib.plotting import plot_pooled_tokens  # noqa: E402

TOKENS = ["[CLS]", "the", "cat", "sat", "[SEP]", "[PAD]"]


def sample(seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    hidden = torch.randn(6, 64, generator=generator)
    mask = torch.tensor([1, 1, 1, 1, 1, 0])
    pooled = hidden[:5].mean(dim=0)
    return hidden, mask, pooled


def test_draws_tokens_and_pooled_vector_on_one_scale():
    hidden, mask, pooled = sample()
    figure = plot_pooled_tokens(hidden, TOKENS, pooled, label="mean", mask=mask, max_dims=48, title="T")
    assert isinstance(figure, Figure) and not plt.get_fignums()
    top, bottom = figure.axes[:2]
    token_image, strip_image = top.get_images()[0], bottom.get_images()[0]
    np.testing.assert_allclose(token_image.get_array(), hidden[:, :48].numpy(), rtol=1e-6)
    np.testing.assert_allclose(strip_image.get_array(), pooled[None, :48].numpy(), rtol=1e-6)
    assert token_image.get_clim() == strip_image.get_clim()
    low, high = token_image.get_clim()
    assert low == -high > -np.inf
    assert [t.get_text() for t in top.get_yticklabels()] == TOKENS
    assert bottom.get_yticklabels()[0].get_text() == "mean"
    assert top.get_title(loc="left") == "T"
    assert "first 48 of 64" in bottom.get_xlabel()
    hatched = [p for p in top.patches if isinstance(p, Rectangle) and p.get_hatch()]
    assert len(hatched) == 1 and hatched[0].get_y() == pytest.approx(4.5)  # the [PAD] row


def test_accepts_a_batch_of_one_and_numpy():
    hidden, _, pooled = sample(1)
    figure = plot_pooled_tokens(hidden.numpy(), TOKENS, pooled[None].numpy())
    assert figure.axes[1].get_yticklabels()[0].get_text() == "pooled"
    assert "all 64" in figure.axes[1].get_xlabel() or "first 48 of 64" in figure.axes[1].get_xlabel()


def test_bad_input_names_the_argument():
    hidden, mask, pooled = sample()
    with pytest.raises(ValueError, match="pooled: expected shape \\(hidden,\\) = \\(64,\\)"):
        plot_pooled_tokens(hidden, TOKENS, pooled[:10])
    with pytest.raises(ValueError, match="tokens"):
        plot_pooled_tokens(hidden, TOKENS[:5], pooled)
    with pytest.raises(ValueError, match="token_embeddings"):
        plot_pooled_tokens(hidden[0], TOKENS, pooled)
    with pytest.raises(ValueError, match="mask"):
        plot_pooled_tokens(hidden, TOKENS, pooled, mask=mask[:3])
    with pytest.raises(TypeError, match="label"):
        plot_pooled_tokens(hidden, TOKENS, pooled, label=3)
    with pytest.raises(ValueError, match="pooled"):
        plot_pooled_tokens(hidden, TOKENS, torch.full((64,), float("inf")))
    assert not plt.get_fignums()
