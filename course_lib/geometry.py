"""The geometry of an embedding space: anisotropy, centering and whitening (notebook 06).

- :func:`mean_cosine`        the average cosine over all distinct pairs of vectors (Ethayarajh's
  anisotropy baseline, computed exactly instead of on sampled pairs)
- :func:`variance_shares`    the share of the variance along each principal direction
- :func:`center`             subtract a mean vector
- :func:`fit_whitening`      fit Su et al. (2021)'s whitening ``x -> (x - mu) W`` with
  ``W = U Lambda^(-1/2)`` (first ``k`` columns); :class:`Whitening` holds it and applies it
- :func:`token_vectors_by_layer`  every real token's vector at every layer, in one forward pass

Pooled sentence vectors of every layer come from :func:`course_lib.embed.encode_layers`. Everything
here takes ``(n, d)`` torch tensors (numpy arrays are accepted), validates them through
:mod:`course_lib._checks` and returns results on the input's device.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch

from course_lib._checks import check_int, check_tensor, check_texts, describe
from course_lib.embed import length_sorted_batches, resolve_max_length, resolve_model
from course_lib.models import LoadedModel

__all__ = [
    "mean_cosine",
    "variance_shares",
    "center",
    "Whitening",
    "fit_whitening",
    "token_vectors_by_layer",
]

_SHAPE = "(n, d)"


def _vectors(name: str, value: object, min_rows: int = 1) -> torch.Tensor:
    vectors = check_tensor(name, value, ndim=2, shape=_SHAPE, floating=True, finite=True, allow_numpy=True)
    if vectors.shape[0] < min_rows:
        raise ValueError(f"{name}: expected at least {min_rows} rows {_SHAPE}, got shape {tuple(vectors.shape)}")
    return vectors


def mean_cosine(vectors: torch.Tensor) -> float:
    """Average cosine similarity over all ``n (n - 1) / 2`` distinct pairs of rows of ``(n, d)`` ``vectors``.

    0 for directions spread evenly (isotropic), close to 1 when every vector points the same way.
    Exact and O(n d): with unit rows ``u_i``, the sum over ordered pairs i != j of ``u_i . u_j`` is
    ``|sum_i u_i|^2 - n``. A zero row has no direction and raises ValueError. Introduced in notebook 06.
    """
    rows = _vectors("vectors", vectors, min_rows=2).double()
    norms = rows.norm(dim=1)
    if bool((norms == 0).any()):
        first = int((norms == 0).nonzero()[0])
        raise ValueError(f"vectors: expected no all-zero row (a zero vector has no direction), got one at row {first}")
    n = rows.shape[0]
    total = (rows / norms.unsqueeze(1)).sum(dim=0)
    return float((total @ total - n) / (n * (n - 1)))


def variance_shares(vectors: torch.Tensor) -> torch.Tensor:
    """Share of the total variance along each principal direction, largest first: ``(min(n, d),)``, sums to 1.

    One share near 1 means one direction dominates (a "rogue dimension"); after whitening every
    kept direction has the same share. Computed from the centred rows' singular values (float64).
    """
    rows = _vectors("vectors", vectors, min_rows=2).double()
    centred = rows - rows.mean(dim=0)
    singular = torch.linalg.svdvals(centred)
    energy = singular**2
    if float(energy.sum()) == 0.0:
        raise ValueError("vectors: expected rows that differ, got identical rows (no variance to share)")
    return energy / energy.sum()


def center(vectors: torch.Tensor, mean: torch.Tensor | None = None) -> torch.Tensor:
    """``vectors - mean`` for ``(n, d)`` vectors; ``mean`` ``(d,)`` defaults to the vectors' own mean.

    Pass the mean of a *fitting* set (e.g. training sentences) to centre new vectors without looking
    at them. Centering moves the origin into the cloud, so cosine stops seeing the shared offset.
    """
    rows = _vectors("vectors", vectors)
    if mean is None:
        return rows - rows.mean(dim=0)
    offset = check_tensor("mean", mean, ndim=1, shape="(d,)", floating=True, finite=True, allow_numpy=True)
    if offset.shape[0] != rows.shape[1]:
        raise ValueError(f"mean: expected shape ({rows.shape[1]},) to match the vectors' width, got {tuple(offset.shape)}")
    return rows - offset.to(device=rows.device, dtype=rows.dtype)


@dataclass(frozen=True)
class Whitening:
    """A fitted whitening ``x -> (x - mean) @ matrix``.

    ``mean`` is ``(d,)``, ``matrix`` is ``(d, k)`` = the first ``k`` columns of ``U Lambda^(-1/2)``
    and ``eigenvalues`` ``(d,)`` are the fitting set's covariance eigenvalues, largest first (all
    float64). Made by :func:`fit_whitening`.
    """

    mean: torch.Tensor
    matrix: torch.Tensor
    eigenvalues: torch.Tensor

    @property
    def dim_in(self) -> int:
        return int(self.matrix.shape[0])

    @property
    def dim_out(self) -> int:
        return int(self.matrix.shape[1])

    def transform(self, vectors: torch.Tensor) -> torch.Tensor:
        """Whiten ``(n, d)`` vectors into ``(n, k)``, in the vectors' dtype and on their device."""
        rows = _vectors("vectors", vectors)
        if rows.shape[1] != self.dim_in:
            raise ValueError(
                f"vectors: expected width d = {self.dim_in} (the width the whitening was fitted on), "
                f"got shape {tuple(rows.shape)}"
            )
        mean = self.mean.to(rows.device)
        matrix = self.matrix.to(rows.device)
        return ((rows.double() - mean) @ matrix).to(rows.dtype)

    def __repr__(self) -> str:
        return f"Whitening(d={self.dim_in} -> k={self.dim_out})"


def fit_whitening(vectors: torch.Tensor, k: int | None = None) -> Whitening:
    """Fit Su et al. (2021)'s whitening on ``(n, d)`` vectors and keep ``k`` dimensions (default: all ``d``).

    ``mu`` is the mean, ``Sigma = U Lambda U^T`` the covariance (n - 1 in the denominator, as
    numpy's ``cov`` and scikit-learn's PCA), ``W = U Lambda^(-1/2)``. On the fitting vectors the
    result has mean 0 and identity covariance; with ``k < d`` it equals PCA with ``whiten=True``
    up to the sign of each column. Needs more rows than dimensions (``n > d``): with fewer, the
    covariance is singular and ``Lambda^(-1/2)`` does not exist. Introduced in notebook 06.
    """
    rows = _vectors("vectors", vectors)
    n, d = rows.shape
    if n <= d:
        raise ValueError(
            f"vectors: expected more rows than dimensions to fit a whitening (n > d = {d}), got {n} rows; "
            "with n <= d the covariance is singular. Fit on more sentences, or reduce d first."
        )
    k = d if k is None else check_int("k", k, minimum=1, maximum=d)
    data = rows.double()
    mean = data.mean(dim=0)
    covariance = (data - mean).T @ (data - mean) / (n - 1)
    eigenvalues, eigenvectors = torch.linalg.eigh(covariance)  # ascending
    eigenvalues, eigenvectors = eigenvalues.flip(0), eigenvectors.flip(1)
    smallest_kept = float(eigenvalues[k - 1])
    if smallest_kept <= 1e-12 * max(float(eigenvalues[0]), 1e-300):
        raise ValueError(
            f"vectors: expected a full-rank covariance for the {k} kept dimensions, got eigenvalue "
            f"{smallest_kept:.3g}: the rows lie in a lower-dimensional subspace (duplicated or constant columns, "
            "or a linear constraint such as the one every LayerNorm output satisfies); keep fewer dimensions (k)"
        )
    matrix = eigenvectors[:, :k] / eigenvalues[:k].sqrt()
    return Whitening(mean=mean, matrix=matrix, eigenvalues=eigenvalues)


def token_vectors_by_layer(
    texts: str | Sequence[str],
    model: LoadedModel | str | None = None,
    include_special: bool = False,
    batch_size: int = 32,
    max_length: int | None = None,
) -> torch.Tensor:
    """Every real token's vector at every layer: ``(num_layers + 1, tokens, hidden)``, one forward pass.

    Layer 0 is the embedding output, layer ``i`` the output of block ``i`` (as in
    :func:`course_lib.embed.encode_layers`). Padding is never included; ``[CLS]`` and ``[SEP]`` are
    left out unless ``include_special``. Rows follow the input texts, then token order.
    """
    loaded = resolve_model(model)
    items = check_texts("texts", texts)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    length = resolve_max_length(loaded, max_length)
    if not isinstance(include_special, bool):
        raise TypeError(f"include_special: expected True or False, got {describe(include_special)}")
    special = torch.tensor(sorted(loaded.tokenizer.all_special_ids))
    per_text: dict[int, torch.Tensor] = {}
    with torch.inference_mode():
        for indices, batch in length_sorted_batches(loaded, items, batch_size, length):
            states = torch.stack(loaded.model(**batch, output_hidden_states=True).hidden_states)  # (L+1, b, seq, h)
            keep = batch["attention_mask"].bool()
            if not include_special:
                keep &= ~torch.isin(batch["input_ids"], special.to(keep.device))
            for row, text_index in enumerate(indices):
                per_text[text_index] = states[:, row][:, keep[row]].float().cpu()
    return torch.cat([per_text[i] for i in range(len(items))], dim=1)
