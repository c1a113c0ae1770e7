"""Notebook 02 builds every pooling method from scratch: its definitions must equal course_lib.pooling.

The cells tagged ``from-scratch`` in notebooks/02_pooling_methods.ipynb are executed here, on their
own, and compared with the tested implementations on random batches padded on either side.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
import torch

from course_lib import pooling

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "02_pooling_methods.ipynb"

# notebook function -> course_lib method
SCRATCH = {
    "mean_pooling": "mean",
    "max_pooling": "max",
    "mean_sqrt_len_pooling": "mean_sqrt_len",
    "weighted_mean_pooling": "weighted_mean",
    "last_token_pooling": "last_token",
    "cls_pooling_fixed": "cls",
}


@pytest.fixture(scope="module")
def scratch() -> dict:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    cells = [c for c in notebook.cells if c.cell_type == "code" and "from-scratch" in c.metadata.get("tags", [])]
    assert len(cells) == 7, f"expected 7 from-scratch cells in {NOTEBOOK.name}, found {len(cells)}"
    namespace: dict = {"torch": torch}
    for cell in cells:
        exec(compile(cell.source, f"{NOTEBOOK.name}:from-scratch", "exec"), namespace)
    return namespace


def padded_batch(seed: int, lengths: list[int], side: str, dtype=torch.float32, hidden: int = 16):
    """Random token embeddings whose pads hold large junk, as a real encoder's pads hold real-looking vectors."""
    generator = torch.Generator().manual_seed(seed)
    seq = max(lengths)
    embeddings = torch.randn(len(lengths), seq, hidden, generator=generator)
    mask = torch.zeros(len(lengths), seq, dtype=torch.int64)
    for row, length in enumerate(lengths):
        if side == "right":
            mask[row, :length] = 1
        else:
            mask[row, seq - length :] = 1
    embeddings = torch.where(mask.bool().unsqueeze(-1), embeddings, torch.full_like(embeddings, 30.0))
    return embeddings.to(dtype), mask


BATCHES = [([4, 1, 7, 3], 0), ([5, 5], 1), ([1], 2), ([2, 9, 6, 9, 1], 3)]


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("name", list(SCRATCH))
@pytest.mark.parametrize("lengths,seed", BATCHES)
def test_scratch_equals_course_lib(scratch, name, side, lengths, seed):
    embeddings, mask = padded_batch(seed, lengths, side)
    ours = scratch[name](embeddings.clone(), mask.clone())
    torch.testing.assert_close(ours, pooling.pool(embeddings, mask, SCRATCH[name]), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("lengths,seed", BATCHES)
def test_naive_cls_equals_course_lib_under_right_padding_only(scratch, lengths, seed):
    embeddings, mask = padded_batch(seed, lengths, "right")
    torch.testing.assert_close(scratch["cls_pooling"](embeddings, mask), pooling.cls_pool(embeddings, mask))
    left, left_mask = padded_batch(seed, lengths, "left")
    padded_rows = (left_mask[:, 0] == 0).nonzero().flatten()
    naive = scratch["cls_pooling"](left, left_mask)
    # the notebook's lesson: under left padding position 0 is a pad in every row shorter than the longest
    assert torch.equal(padded_rows, torch.tensor([i for i, n in enumerate(lengths) if n < max(lengths)], dtype=torch.int64))
    for row in range(len(lengths)):
        same = torch.equal(naive[row], pooling.cls_pool(left, left_mask)[row])
        assert same == (row not in padded_rows.tolist())


def test_scratch_max_pooling_is_float16_safe(scratch):
    embeddings, mask = padded_batch(7, [3, 8, 1], "right", dtype=torch.float16)
    ours = scratch["max_pooling"](embeddings, mask)
    assert ours.dtype == torch.float16 and torch.isfinite(ours).all()
    torch.testing.assert_close(ours, pooling.max_pool(embeddings, mask))


def test_scratch_methods_on_real_hidden_states(scratch, model):
    from course_lib.embed import encode_tokens

    for side in ("right", "left"):
        output = encode_tokens(["Dogs bark.", "The safety bicycle had two wheels of equal size."], model, padding_side=side)
        for name, method in SCRATCH.items():
            torch.testing.assert_close(
                scratch[name](output.hidden, output.attention_mask),
                pooling.pool(output.hidden, output.attention_mask, method),
                rtol=1e-5, atol=1e-5,
            )
