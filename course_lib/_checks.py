"""The one place where course_lib checks its inputs.

One rule everywhere: a wrong **type** raises ``TypeError``; a wrong **value, shape, range or
emptiness** raises ``ValueError``. Every message has the same form::

    <argument>: expected <what was expected>, got <what came>

where ``<argument>`` is the name the *caller* used (pass it as ``name``), so a learner who writes
``encode(texts, pooling="avg")`` reads ``pooling: ...``, not the name of some inner helper.
Nothing here runs at import time; tensors are checked on whatever device they live on.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

import numpy as np
import torch

__all__ = [
    "describe",
    "check_type",
    "check_bool",
    "check_callable",
    "check_int",
    "check_number",
    "check_choice",
    "check_str",
    "check_texts",
    "check_items",
    "check_tensor",
    "check_array",
    "check_finite",
    "check_same_length",
    "check_bools",
]


def describe(value: Any) -> str:
    """A short description of what came: the type, and the value when it is small."""
    if value is None or isinstance(value, (bool, int, float, str)):
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    if isinstance(value, torch.Tensor):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)} on {value.device}"
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} numpy array of shape {value.shape}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a {type(value).__name__}"


def check_type(name: str, value: Any, types: type | tuple[type, ...], expected: str) -> Any:
    """``value`` if it is an instance of ``types``, else a TypeError saying ``expected``."""
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise TypeError(f"{name}: expected {expected}, got {describe(value)}")
    if not isinstance(value, types):
        raise TypeError(f"{name}: expected {expected}, got {describe(value)}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """``value`` if it is True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {describe(value)}")
    return bool(value)


def check_callable(name: str, value: Any, expected: str = "a function") -> Any:
    """``value`` if it can be called, else a TypeError saying ``expected``."""
    if not callable(value):
        raise TypeError(f"{name}: expected {expected}, got {describe(value)}")
    return value


def check_int(name: str, value: Any, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int within ``[minimum, maximum]``; a float such as ``2.0`` is a TypeError."""
    bounds = _bounds_text(minimum, maximum, True, True)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an int{bounds}, got {describe(value)}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name}: expected an int{bounds}, got {value}")
    return value


def check_number(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    allow_inf: bool = False,
) -> float:
    """``value`` as a float within the bounds; NaN is always a ValueError, inf only when not allowed."""
    bounds = _bounds_text(low, high, low_inclusive, high_inclusive)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a number{bounds}, got {describe(value)}")
    value = float(value)
    if math.isnan(value) or (math.isinf(value) and not allow_inf):
        raise ValueError(f"{name}: expected a finite number{bounds}, got {value}")
    too_low = low is not None and (value < low or (not low_inclusive and value == low))
    too_high = high is not None and (value > high or (not high_inclusive and value == high))
    if too_low or too_high:
        raise ValueError(f"{name}: expected a number{bounds}, got {value}")
    return value


def check_choice(name: str, value: Any, choices: Iterable[str], aliases: dict[str, str] | None = None) -> str:
    """``value`` if it is one of ``choices``; a known alias gets a "did you mean" hint."""
    options = list(choices)
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected one of {options} as a string, got {describe(value)}")
    if value not in options:
        hint = f" (did you mean {aliases[value]!r}?)" if aliases and value in aliases else ""
        raise ValueError(f"{name}: expected one of {options}, got {value!r}{hint}")
    return value


def check_str(name: str, value: Any, allow_empty: bool = False) -> str:
    """``value`` if it is a string (non-empty unless ``allow_empty``)."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a string, got {describe(value)}")
    if not allow_empty and not value.strip():
        raise ValueError(f"{name}: expected a non-empty string, got {value!r}")
    return value


def check_texts(name: str, texts: Any) -> list[str]:
    """A string as a one-item list, a non-empty list or tuple of strings as a list."""
    if isinstance(texts, str):
        return [texts]
    if not isinstance(texts, (list, tuple)):
        raise TypeError(f"{name}: expected a string or a list of strings, got {describe(texts)}")
    if len(texts) == 0:
        raise ValueError(f"{name}: expected at least one text, got an empty {type(texts).__name__}")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"{name}: expected strings, got {describe(text)} at index {i}")
    return list(texts)


def check_items(name: str, value: Any, types: type | tuple[type, ...], expected: str, allow_empty: bool = False) -> list:
    """A list or tuple whose items are all instances of ``types``, as a list; ``expected`` names the items (plural)."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name}: expected a list of {expected}, got {describe(value)}")
    if not allow_empty and len(value) == 0:
        raise ValueError(f"{name}: expected a non-empty list of {expected}, got an empty {type(value).__name__}")
    allowed = types if isinstance(types, tuple) else (types,)
    for i, item in enumerate(value):
        if (isinstance(item, bool) and bool not in allowed) or not isinstance(item, allowed):
            raise TypeError(f"{name}: expected {expected}, got {describe(item)} at index {i}")
    return list(value)


def check_tensor(
    name: str,
    value: Any,
    ndim: int | tuple[int, ...] | None = None,
    shape: str = "",
    floating: bool = False,
    finite: bool = False,
    allow_numpy: bool = False,
    allow_empty: bool = False,
) -> torch.Tensor:
    """``value`` as a torch tensor, checked.

    ``ndim`` is the number (or numbers) of dimensions allowed and ``shape`` how to say it, e.g.
    ``"(batch, seq, hidden)"``. ``floating`` asks for a floating dtype, ``finite`` for no NaN or
    inf, ``allow_numpy`` converts a numpy array (no copy). A "meta" tensor (shape, no data) is a
    ValueError, never a deep torch error.
    """
    if allow_numpy and isinstance(value, np.ndarray):
        if value.dtype == object:
            raise TypeError(f"{name}: expected a numeric array{' ' + shape if shape else ''}, got an object array")
        value = torch.from_numpy(value)
    if not isinstance(value, torch.Tensor):
        kind = "a torch.Tensor or numpy array" if allow_numpy else "a torch.Tensor"
        raise TypeError(f"{name}: expected {kind}{' of shape ' + shape if shape else ''}, got {describe(value)}")
    if value.is_meta:
        raise ValueError(f"{name}: expected a tensor with data, got a 'meta' tensor (shape only, no values)")
    if floating and not value.is_floating_point():
        raise TypeError(f"{name}: expected a floating-point tensor, got dtype {value.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if value.dim() not in allowed:
            dims = " or ".join(str(d) for d in allowed)
            raise ValueError(
                f"{name}: expected {dims} dimensions{' ' + shape if shape else ''}, got shape {tuple(value.shape)}"
            )
    if not allow_empty and value.numel() == 0:
        raise ValueError(f"{name}: expected a non-empty tensor{' ' + shape if shape else ''}, got shape {tuple(value.shape)}")
    if finite:
        check_finite(name, value)
    return value


def check_array(
    name: str, value: Any, ndim: int | tuple[int, ...] | None = None, shape: str = "", numeric: bool = True
) -> np.ndarray:
    """``value`` (a list, tuple, numpy array or CPU tensor) as a numpy array, checked."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, (list, tuple, range)):
        try:
            value = np.asarray(value)
        except ValueError as error:  # ragged nesting
            raise ValueError(f"{name}: expected a rectangular array{' ' + shape if shape else ''}, got ragged rows") from error
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name}: expected an array or list{' of shape ' + shape if shape else ''}, got {describe(value)}")
    if numeric and not (np.issubdtype(value.dtype, np.number) or value.dtype == bool):
        raise TypeError(f"{name}: expected numbers, got an array of dtype {value.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if value.ndim not in allowed:
            dims = " or ".join(str(d) for d in allowed)
            raise ValueError(f"{name}: expected {dims} dimensions{' ' + shape if shape else ''}, got shape {value.shape}")
    if value.size == 0:
        raise ValueError(f"{name}: expected a non-empty array, got shape {value.shape}")
    return value


def check_bools(name: str, value: Any) -> np.ndarray:
    """A 1-D boolean array ``(n,)`` from bools or 0/1 numbers (a list, numpy array or tensor)."""
    array = check_array(name, value, ndim=1, shape="(n,)")
    if array.dtype != bool:
        if not np.isin(array, (0, 1)).all():
            raise ValueError(f"{name}: expected True/False (or 0/1) values, got values such as {array[~np.isin(array, (0, 1))][0].item()!r}")
        array = array.astype(bool)
    return array


def check_finite(name: str, value: torch.Tensor | np.ndarray) -> None:
    """Raise a ValueError if ``value`` holds NaN or inf (one reduction, no mask as large as the input)."""
    if isinstance(value, np.ndarray):
        if np.issubdtype(value.dtype, np.floating) and not np.isfinite(value).all():
            raise ValueError(f"{name}: expected finite values, got NaN or infinite values")
        return
    if value.is_floating_point() and value.numel():
        low, high = torch.aminmax(value.detach())
        if not (math.isfinite(low.item()) and math.isfinite(high.item())):
            raise ValueError(f"{name}: expected finite values, got NaN or infinite values")


def check_same_length(name: str, value: Sequence[Any], other_name: str, other: Sequence[Any]) -> None:
    """Raise a ValueError unless ``value`` has as many items as ``other``."""
    if len(value) != len(other):
        raise ValueError(f"{name}: expected {len(other)} items, one per item of {other_name}, got {len(value)}")


def _bounds_text(low: float | None, high: float | None, low_inclusive: bool, high_inclusive: bool) -> str:
    if low is not None and high is not None:
        left = "[" if low_inclusive else "("
        right = "]" if high_inclusive else ")"
        return f" in {left}{low}, {high}{right}"
    if low is not None:
        return f" {'>=' if low_inclusive else '>'} {low}"
    if high is not None:
        return f" {'<=' if high_inclusive else '<'} {high}"
    return ""
