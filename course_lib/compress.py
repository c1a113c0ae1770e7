"""Compressing sentence embeddings: fewer dimensions, fewer bits (notebook 07).

Fewer dimensions: :func:`truncate` keeps the first ``dims`` coordinates (what Matryoshka-trained
models are built for); :func:`fit_pca` learns a :class:`PCAProjection` onto the top principal
components of a fitting set, which any model can use.

Fewer bits per number, ``bits`` in :data:`BITS`:

- 32: float32, the encoder's output; 16: float16 (:func:`to_float16`);
- 8: int8 scalar quantisation (:func:`int8_ranges`, :func:`quantize_int8`,
  :func:`dequantize_int8`): each dimension's calibrated [min, max] is cut into 256 buckets, exactly
  as sentence-transformers' ``quantize_embeddings(..., precision="int8")`` (tested);
- 1: binary (sign) quantisation (:func:`quantize_binary`): one bit per dimension, 1 where the value
  is > 0, packed 8 to a byte, as ``quantize_embeddings(..., precision="ubinary")``; compared with
  :func:`hamming_distance` (equal to FAISS ``IndexBinaryFlat``, tested).

:func:`compress` and :func:`compressed_scores` put the four behind one interface, and
:func:`binary_search_rescore` is the two-stage search of sentence-transformers' quantisation guide:
Hamming search for ``k * multiplier`` candidates, then exact float scores for those only.
All vectors are ``(n, d)`` torch tensors or numpy arrays; results are torch tensors on the input's device.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch

from course_lib._checks import check_choice, check_int, check_tensor, check_type, describe
from course_lib.similarity import cosine, most_similar

BITS: tuple[int, ...] = (32, 16, 8, 1)
REDUCTIONS: tuple[str, ...] = ("truncate", "pca")


def _vectors(name: str, value: object) -> torch.Tensor:
    """A finite floating ``(n, d)`` tensor (numpy accepted, 1-D read as one row)."""
    tensor = check_tensor(name, value, ndim=(1, 2), shape="(n, d)", floating=True, finite=True, allow_numpy=True)
    return tensor.unsqueeze(0) if tensor.dim() == 1 else tensor


def _check_dims(name: str, dims: object, available: int) -> int:
    return check_int(name, dims, minimum=1, maximum=available)


def check_bits(bits: object) -> int:
    """``bits`` if it is one of :data:`BITS` (32, 16, 8, 1), else a clear error."""
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)):
        raise TypeError(f"bits: expected one of {list(BITS)} as an int, got {describe(bits)}")
    if int(bits) not in BITS:
        raise ValueError(f"bits: expected one of {list(BITS)} (float32, float16, int8, binary), got {bits}")
    return int(bits)


def bytes_per_vector(dims: int, bits: int) -> int:
    """Storage of one vector: ``dims`` numbers of ``bits`` each, binary codes padded to whole bytes."""
    dims = check_int("dims", dims, minimum=1)
    return math.ceil(dims * check_bits(bits) / 8)


# --------------------------------------------------------------------------- fewer dimensions


def truncate(embeddings, dims: int) -> torch.Tensor:
    """The first ``dims`` coordinates: ``(n, d)`` -> ``(n, dims)``.

    Only a model trained Matryoshka-style puts the most information first; for others this is an
    arbitrary subset of coordinates. Cosine ignores the shorter length, so no renormalising is needed.
    """
    vectors = _vectors("embeddings", embeddings)
    return vectors[:, : _check_dims("dims", dims, vectors.shape[1])]


class PCAProjection(NamedTuple):
    """Centre with ``mean`` ``(d,)`` and project onto ``components`` ``(dims, d)`` (rows: directions, largest variance first)."""

    mean: torch.Tensor
    components: torch.Tensor
    explained_variance_ratio: torch.Tensor

    @property
    def dims(self) -> int:
        return int(self.components.shape[0])

    def transform(self, embeddings) -> torch.Tensor:
        """``(n, d)`` -> ``(n, dims)``: ``(x - mean) @ components.T``, as scikit-learn's ``PCA.transform``."""
        vectors = _vectors("embeddings", embeddings)
        if vectors.shape[1] != self.components.shape[1]:
            raise ValueError(
                f"embeddings: expected vectors of dimension {self.components.shape[1]} like the fitting set, "
                f"got {vectors.shape[1]}"
            )
        mean, components = self.mean.to(vectors), self.components.to(vectors)
        return (vectors - mean) @ components.T

    def truncated(self, dims: int) -> "PCAProjection":
        """The same projection keeping only the top ``dims`` components (no refit needed)."""
        dims = _check_dims("dims", dims, self.dims)
        return PCAProjection(self.mean, self.components[:dims], self.explained_variance_ratio[:dims])


def fit_pca(embeddings, dims: int) -> PCAProjection:
    """Principal components of ``embeddings`` ``(n, d)``: the top ``dims`` directions of variance.

    An SVD of the centred data in float64, with scikit-learn's sign convention (the largest
    coordinate of each component is positive), so the result equals ``sklearn.decomposition.PCA``
    (tested). Needs ``n > dims`` rows: fit on a separate set (e.g. training sentences), not on the
    corpus you evaluate.
    """
    vectors = _vectors("embeddings", embeddings)
    n, d = vectors.shape
    dims = _check_dims("dims", dims, d)
    if n <= dims:
        raise ValueError(f"embeddings: expected more rows than dims ({dims}) to fit {dims} components, got {n} rows")
    data = vectors.double()
    mean = data.mean(dim=0)
    _, singular, vt = torch.linalg.svd(data - mean, full_matrices=False)
    largest = vt.abs().argmax(dim=1)
    signs = torch.sign(vt[torch.arange(vt.shape[0]), largest])
    vt = vt * signs.unsqueeze(1)
    variance = singular**2
    ratio = variance / variance.sum()
    dtype = vectors.dtype
    return PCAProjection(mean.to(dtype), vt[:dims].to(dtype), ratio[:dims].to(dtype))


def reduce_dims(embeddings, dims: int, reduction: str = "truncate", pca: PCAProjection | None = None) -> torch.Tensor:
    """``(n, d)`` -> ``(n, dims)`` by ``reduction``: ``"truncate"``, or ``"pca"`` with a fitted ``pca``."""
    check_choice("reduction", reduction, REDUCTIONS)
    if reduction == "truncate":
        return truncate(embeddings, dims)
    if not isinstance(pca, PCAProjection):
        raise TypeError(f"pca: reduction='pca' needs a PCAProjection from fit_pca(...), got {describe(pca)}")
    return pca.truncated(dims).transform(embeddings)


# --------------------------------------------------------------------------- fewer bits


def to_float16(embeddings) -> torch.Tensor:
    """Half precision: 2 bytes per number, about 3 significant digits. ``(n, d)`` float16."""
    return _vectors("embeddings", embeddings).half()


def int8_ranges(calibration) -> torch.Tensor:
    """Per-dimension ``[min; max]`` of a calibration set ``(n, d)`` -> ``(2, d)``; needs n >= 2."""
    vectors = _vectors("calibration", calibration)
    if vectors.shape[0] < 2:
        raise ValueError(
            f"calibration: expected at least 2 vectors to measure each dimension's range, got {vectors.shape[0]}"
        )
    low, high = torch.aminmax(vectors.float(), dim=0)
    return torch.stack([low, high])


def _check_ranges(ranges: object, dims: int) -> torch.Tensor:
    ranges = check_tensor("ranges", ranges, ndim=2, shape="(2, d)", floating=True, finite=True, allow_numpy=True)
    if ranges.shape != (2, dims):
        raise ValueError(
            f"ranges: expected shape (2, {dims}) [min; max per dimension] to match the embeddings' {dims} "
            f"dimensions, got {tuple(ranges.shape)} (were they calibrated on vectors of another size?)"
        )
    if bool((ranges[1] < ranges[0]).any()):
        raise ValueError("ranges: expected row 0 = minima <= row 1 = maxima, got a maximum below its minimum")
    return ranges.float()


def _steps(ranges: torch.Tensor) -> torch.Tensor:
    steps = (ranges[1] - ranges[0]) / 255
    return torch.where(steps == 0, torch.ones_like(steps), steps)  # a constant dimension: any step works


def quantize_int8(embeddings, ranges) -> torch.Tensor:
    """Scalar quantisation to int8 ``(n, d)``: bucket ``floor((x - min) / step)`` in 0..255, minus 128.

    ``ranges`` ``(2, d)`` from :func:`int8_ranges` on a calibration set; values outside it are
    clipped to the end buckets. Same codes as sentence-transformers' ``quantize_embeddings``.
    """
    vectors = _vectors("embeddings", embeddings).float()
    ranges = _check_ranges(ranges, vectors.shape[1]).to(vectors.device)
    buckets = torch.clamp(torch.floor((vectors - ranges[0]) / _steps(ranges)), 0, 255)
    return (buckets - 128).to(torch.int8)


def dequantize_int8(codes, ranges) -> torch.Tensor:
    """int8 codes ``(n, d)`` -> float32, each code replaced by the middle of its bucket."""
    codes = check_tensor("codes", codes, ndim=2, shape="(n, d)", allow_numpy=True)
    if codes.dtype != torch.int8:
        raise TypeError(f"codes: expected int8 codes from quantize_int8, got dtype {codes.dtype}")
    ranges = _check_ranges(ranges, codes.shape[1]).to(codes.device)
    return ranges[0] + (codes.float() + 128 + 0.5) * _steps(ranges)


def quantize_binary(embeddings) -> torch.Tensor:
    """One bit per dimension (1 where the value is > 0), packed: ``(n, d)`` -> uint8 ``(n, ceil(d / 8))``.

    The first dimension is the highest bit of the first byte (numpy's ``packbits``), as
    sentence-transformers' ``"ubinary"`` and FAISS's binary indexes expect.
    """
    vectors = _vectors("embeddings", embeddings)
    packed = np.packbits((vectors > 0).cpu().numpy(), axis=1)
    return torch.from_numpy(packed).to(vectors.device)


def _codes(name: str, value: object) -> torch.Tensor:
    codes = check_tensor(name, value, ndim=(1, 2), shape="(n, bytes)", allow_numpy=True)
    if codes.dtype != torch.uint8:
        raise TypeError(f"{name}: expected packed uint8 codes from quantize_binary, got dtype {codes.dtype}")
    return codes.unsqueeze(0) if codes.dim() == 1 else codes


def unpack_binary(codes, dims: int | None = None) -> torch.Tensor:
    """Packed codes ``(n, bytes)`` -> ``(n, dims)`` of 0/1 (uint8); ``dims`` drops the padding bits."""
    codes = _codes("codes", codes)
    bits = torch.from_numpy(np.unpackbits(codes.cpu().numpy(), axis=1)).to(codes.device)
    dims = bits.shape[1] if dims is None else check_int("dims", dims, minimum=1, maximum=bits.shape[1])
    return bits[:, :dims]


def _plus_minus(codes: torch.Tensor) -> torch.Tensor:
    return unpack_binary(codes).float() * 2 - 1


def hamming_distance(a, b) -> torch.Tensor:
    """Number of differing bits between packed codes ``a`` ``(n, bytes)`` and ``b`` ``(m, bytes)`` -> ``(n, m)`` int64.

    Computed as a matrix product of ±1 vectors (``hamming = (bits - a·b) / 2``), which is exact and
    uses the fast float kernels; equals FAISS ``IndexBinaryFlat`` distances.
    """
    a, b = _codes("a", a), _codes("b", b)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"b: expected codes of {a.shape[1]} bytes like a, got {b.shape[1]}")
    signs_a, signs_b = _plus_minus(a), _plus_minus(b)
    return ((signs_a.shape[1] - signs_a @ signs_b.T) / 2).round().long()


def hamming_similarity(a, b) -> torch.Tensor:
    """Number of agreeing bits ``(n, m)`` (higher = closer): total bits minus :func:`hamming_distance`."""
    a = _codes("a", a)
    return a.shape[1] * 8 - hamming_distance(a, b)


# --------------------------------------------------------------------------- one interface


class Compressed(NamedTuple):
    """Vectors stored at ``bits`` per number: ``codes`` (float32/float16/int8/packed uint8), ``dims`` and int8 ``ranges``."""

    codes: torch.Tensor
    bits: int
    dims: int
    ranges: torch.Tensor | None = None

    @property
    def bytes_per_vector(self) -> int:
        return bytes_per_vector(self.dims, self.bits)


def compress(embeddings, bits: int, ranges=None) -> Compressed:
    """Store ``embeddings`` ``(n, d)`` at ``bits`` per number (32, 16, 8 or 1).

    ``bits=8`` needs ``ranges`` ``(2, d)`` from :func:`int8_ranges` on a calibration set, never
    the vectors being compressed themselves (their ranges would leak into the evaluation).
    """
    vectors = _vectors("embeddings", embeddings).float()
    bits = check_bits(bits)
    dims = vectors.shape[1]
    if bits == 8:
        if ranges is None:
            raise ValueError("ranges: bits=8 needs ranges (2, d) from int8_ranges(calibration_vectors), got None")
        checked = _check_ranges(ranges, dims)
        return Compressed(quantize_int8(vectors, checked), 8, dims, checked)
    if ranges is not None:
        raise ValueError(f"ranges: only bits=8 uses calibration ranges, got ranges with bits={bits}")
    codes = {32: lambda v: v, 16: to_float16, 1: quantize_binary}[bits](vectors)
    return Compressed(codes, bits, dims)


def decompress(compressed: Compressed) -> torch.Tensor:
    """Float32 vectors ``(n, dims)`` back from codes: exact for 32, rounded for 16 and 8, ±1 for binary."""
    check_type("compressed", compressed, Compressed, "a Compressed from compress(...)")
    if compressed.bits == 8:
        return dequantize_int8(compressed.codes, compressed.ranges)
    if compressed.bits == 1:
        return unpack_binary(compressed.codes, compressed.dims).float() * 2 - 1
    return compressed.codes.float()


def compressed_scores(queries, corpus: Compressed) -> torch.Tensor:
    """Scores ``(q, n)``, higher = closer, of float ``queries`` ``(q, dims)`` against a compressed corpus.

    The queries are compressed the same way first (symmetric): float32/float16 and int8 are
    compared by cosine (int8 after dequantising), binary codes by :func:`hamming_similarity`.
    """
    query_vectors = _vectors("queries", queries)
    check_type("corpus", corpus, Compressed, "a Compressed from compress(...)")
    if query_vectors.shape[1] != corpus.dims:
        raise ValueError(
            f"queries: expected vectors of dimension {corpus.dims} like the compressed corpus, got {query_vectors.shape[1]}"
        )
    compressed_queries = compress(query_vectors, corpus.bits, corpus.ranges)
    if corpus.bits == 1:
        return hamming_similarity(compressed_queries.codes, corpus.codes).float()
    return cosine(decompress(compressed_queries), decompress(corpus))


def binary_search_rescore(
    queries, corpus_codes, rescore_corpus, k: int = 10, multiplier: int = 4
) -> tuple[torch.Tensor, torch.Tensor]:
    """Binary search, then float rescoring: ``(indices, scores)``, each ``(q, k)``, best first.

    1. Hamming search over the packed ``corpus_codes`` ``(n, bytes)`` finds ``k * multiplier``
       candidates per query (the binarised query against the binary corpus: cheap);
    2. each candidate is rescored with the FLOAT query against ``rescore_corpus`` ``(n, d)``
       (float32 vectors kept on disk, or dequantised int8), by cosine, and the best ``k`` kept.
    """
    query_vectors = _vectors("queries", queries)
    codes = _codes("corpus_codes", corpus_codes)
    rescore = _vectors("rescore_corpus", rescore_corpus)
    if rescore.shape[0] != codes.shape[0]:
        raise ValueError(f"rescore_corpus: expected {codes.shape[0]} rows, one per code, got {rescore.shape[0]}")
    if rescore.shape[1] != query_vectors.shape[1]:
        raise ValueError(f"rescore_corpus: expected dimension {query_vectors.shape[1]} like queries, got {rescore.shape[1]}")
    k = check_int("k", k, minimum=1, maximum=codes.shape[0])
    multiplier = check_int("multiplier", multiplier, minimum=1)
    candidates = min(codes.shape[0], k * multiplier)
    # Dot products of ±1 vectors rank exactly like Hamming similarity (a·b = bits - 2 * hamming).
    signs = _plus_minus(quantize_binary(query_vectors))
    candidate_ids, _ = most_similar(signs, _plus_minus(codes), measure="dot", k=candidates)
    unit_queries = torch.nn.functional.normalize(query_vectors.float(), dim=1)
    unit_candidates = torch.nn.functional.normalize(rescore.float()[candidate_ids], dim=2)  # (q, c, d)
    scores = torch.einsum("qd,qcd->qc", unit_queries, unit_candidates)
    top = torch.topk(scores, k, dim=1)
    return torch.gather(candidate_ids, 1, top.indices), top.values
