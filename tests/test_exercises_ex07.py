"""Notebook 07's exercise checks: right answers pass, typical wrong answers fail."""

from __future__ import annotations

import numpy as np
import torch

from course_lib.exercises import ex07, get_exercise


def right_int8(x, ranges):
    step = (ranges[1] - ranges[0]) / 255
    return (torch.clamp(torch.floor((x - ranges[0]) / step), 0, 255) - 128).to(torch.int8)


def test_quantize_int8_right_and_wrong():
    assert ex07.check_quantize_int8(right_int8)
    rounded = ex07.check_quantize_int8(
        lambda x, r: (torch.clamp(torch.round((x - r[0]) / ((r[1] - r[0]) / 255)), 0, 255) - 128).to(torch.int8))
    assert rounded.status == "incorrect"  # round instead of floor: other buckets
    unclipped = ex07.check_quantize_int8(lambda x, r: (torch.floor((x - r[0]) / ((r[1] - r[0]) / 255)) - 128).to(torch.int8))
    assert unclipped.status == "incorrect"  # values outside the range wrap around
    assert ex07.check_quantize_int8(lambda x, r: ...).status == "not attempted"


def test_hamming_right_and_wrong():
    def right(a, b):
        bits_a, bits_b = np.unpackbits(a.numpy(), axis=1), np.unpackbits(b.numpy(), axis=1)
        return (bits_a[:, None, :] != bits_b[None, :, :]).sum(axis=2)

    assert ex07.check_hamming(right)
    agreeing = ex07.check_hamming(lambda a, b: 8 * a.shape[1] - right(a, b))  # similarity, not distance
    assert agreeing.status == "incorrect"
    bytewise = ex07.check_hamming(lambda a, b: (a.numpy()[:, None, :] != b.numpy()[None, :, :]).sum(axis=2))
    assert bytewise.status == "incorrect"  # counts differing bytes, not bits


def test_binary_index_gb_right_and_wrong():
    assert ex07.check_binary_index_gb(0.48)
    assert ex07.check_binary_index_gb(3.84).status == "incorrect"  # one byte per dimension
    assert ex07.check_binary_index_gb(...).status == "not attempted"


def test_exercises_are_registered_with_the_ex07_prefix():
    for name in ("ex07_quantize_int8", "ex07_hamming", "ex07_binary_index_gb"):
        assert get_exercise(name).name == name
