"""Exercises of notebook 07 (compressing embeddings).

Importing this module registers the exercises, so ``show_solution("ex07_quantize_int8")`` works.

- ``ex07_quantize_int8``: scalar quantisation of float vectors to int8 codes with calibrated ranges.
- ``ex07_hamming``: the Hamming distance matrix between two sets of packed binary codes.
- ``ex07_binary_index_gb``: the memory of a 10-million-vector binary index, in GB.
"""

from __future__ import annotations

import torch

from course_lib.compress import bytes_per_vector, hamming_distance, int8_ranges, quantize_binary, quantize_int8
from course_lib.exercises.core import function_exercise, value_exercise

__all__ = ["check_quantize_int8", "check_hamming", "check_binary_index_gb", "reference_hamming"]


def _int8_cases() -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(7)
    calibration = torch.randn(200, 16, generator=generator)
    inside = calibration[:5] * 0.5
    outside = torch.randn(4, 16, generator=generator) * 3  # beyond the calibrated range: clipped
    small = torch.tensor([[0.0, 0.5, 1.0]])
    return [(inside, int8_ranges(calibration)), (outside, int8_ranges(calibration)),
            (small, torch.tensor([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]))]


check_quantize_int8 = function_exercise(
    name="ex07_quantize_int8",
    question=(
        "Write quantize_int8(x, ranges) for x (n, d) and ranges (2, d) = [min; max] per dimension: cut each "
        "dimension's range into 255 equal steps, take the bucket floor((x - min) / step), clip it to 0..255, "
        "subtract 128 and return an int8 tensor (n, d)."
    ),
    hint="step = (ranges[1] - ranges[0]) / 255 broadcasts over the rows; torch.clamp(..., 0, 255) before "
    "subtracting 128; finish with .to(torch.int8).",
    solution='''
def quantize_int8(x, ranges):
    low, high = ranges[0], ranges[1]                 # (d,) each
    step = (high - low) / 255                        # 256 buckets per dimension
    buckets = torch.floor((x - low) / step)          # (n, d), 0 .. 255 inside the range
    return (torch.clamp(buckets, 0, 255) - 128).to(torch.int8)
''',
    reference_fn=quantize_int8,
    cases=_int8_cases(),
    atol=0,
    rtol=0,
).check


def _hamming_cases() -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(8)
    a = quantize_binary(torch.randn(3, 24, generator=generator))
    b = quantize_binary(torch.randn(5, 24, generator=generator))
    return [
        (torch.tensor([[0b10110000]], dtype=torch.uint8), torch.tensor([[0b10000001], [0b10110000]], dtype=torch.uint8)),
        (a, b),
    ]


def reference_hamming(a, b):
    """Hamming distances ``(n, m)`` between packed binary codes, as a numpy array (the exercise's answer)."""
    return hamming_distance(a, b).numpy()


check_hamming = function_exercise(
    name="ex07_hamming",
    question=(
        "Write hamming(a, b) for packed binary codes a (n, bytes) and b (m, bytes), dtype uint8: the (n, m) "
        "numpy array of the number of bits in which a[i] and b[j] differ."
    ),
    hint="np.unpackbits(a.numpy(), axis=1) gives the bits (n, bits); two rows differ where their bits are "
    "unequal: compare (n, 1, bits) with (1, m, bits) and sum over the last axis.",
    solution='''
def hamming(a, b):
    bits_a = np.unpackbits(a.numpy(), axis=1)                       # (n, bits) of 0/1
    bits_b = np.unpackbits(b.numpy(), axis=1)                       # (m, bits)
    return (bits_a[:, None, :] != bits_b[None, :, :]).sum(axis=2)   # (n, m)
''',
    reference_fn=reference_hamming,
    cases=_hamming_cases(),
    atol=0,
    rtol=0,
).check

check_binary_index_gb = value_exercise(
    name="ex07_binary_index_gb",
    question=(
        "How many GB (10**9 bytes) do 10 000 000 binary codes of 384-dimensional vectors take? (float32 would "
        "take 15.36 GB.) Answer with a number."
    ),
    hint="one bit per dimension, 8 bits per byte: bytes per vector = 384 / 8.",
    solution='''
binary_index_gb = 10_000_000 * 384 / 8 / 1e9   # 48 bytes per vector -> 0.48 GB, 32 times less than float32
''',
    reference=10_000_000 * bytes_per_vector(384, 1) / 1e9,
    atol=1e-9,
    rtol=1e-6,
).check
