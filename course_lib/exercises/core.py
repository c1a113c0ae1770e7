"""Automatic feedback for the course's exercises, in the spirit of karpathy's ``cmp()``.

A check returns a :class:`Feedback` whose one-line text is what the notebook shows::

    Correct — masked_mean (matches the reference within tolerance)
    Not yet — masked_mean: shape (2, 384) expected, got (384,)
    Not attempted — masked_mean: replace the ... in the cell above.

In JupyterLab the verdict is a coloured word (green, red, grey): words, not emoji, so it reads the
same where no emoji font is installed.

:func:`cmp` compares a value with the reference; :func:`check_function` runs a learner's function
and the reference on the same cases. Each notebook's module (``ex01.py`` ...) declares every
exercise one way: :func:`function_exercise` for a function answer, :func:`value_exercise` for a value
answer (both register it, so that :func:`show_hint` and :func:`show_solution` find it by name, and
return it); names start with the notebook's prefix (``ex01_``...). Texts are deterministic (no addresses, no timings) for nbval.
"""

from __future__ import annotations

import html
import inspect
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import torch

from course_lib import _checks
from course_lib._checks import check_callable, check_choice, check_number, check_str, check_type, describe

__all__ = [
    "Feedback",
    "cmp",
    "check_function",
    "Exercise",
    "register",
    "get_exercise",
    "show_solution",
    "show_hint",
    "list_exercises",
    "function_exercise",
    "value_exercise",
    "padded_test_batch",
]

Status = Literal["correct", "incorrect", "not attempted"]
# The verdict as a word and its colour in the HTML view (GitHub's green, red and grey).
_VERDICTS = {"correct": ("Correct", "#1a7f37"), "incorrect": ("Not yet", "#cf222e"), "not attempted": ("Not attempted", "#6e7781")}
_NOT_ATTEMPTED = "replace the ... in the cell above."
_RETURNED_NONE = "the function returned None; replace the ... and return your result."


@dataclass(frozen=True)
class Feedback:
    """The verdict of one check. ``bool(feedback)`` is True only when correct; ``repr`` is the one-liner."""

    name: str
    status: Status
    message: str = ""

    def __post_init__(self) -> None:
        check_choice("status", self.status, _VERDICTS)

    def __bool__(self) -> bool:
        return self.status == "correct"

    def _parts(self) -> tuple[str, str]:
        """The verdict word and the rest of the line."""
        if self.status == "correct":
            return _VERDICTS["correct"][0], f"{self.name}" + (f" ({self.message})" if self.message else "")
        if self.status == "incorrect":
            return _VERDICTS["incorrect"][0], f"{self.name}: {self.message}"
        return _VERDICTS["not attempted"][0], f"{self.name}: {self.message or _NOT_ATTEMPTED}"

    def __repr__(self) -> str:
        word, rest = self._parts()
        return f"{word} — {rest}"

    def _repr_html_(self) -> str:
        word, rest = self._parts()
        colour = _VERDICTS[self.status][1]
        return (
            f'<div style="font-family: sans-serif"><span style="color: {colour}; font-weight: bold">{word}</span>'
            f" — {html.escape(rest)}</div>"
        )

    __str__ = __repr__


# --------------------------------------------------------------------------- comparison


class _Mismatch(Exception):
    """Raised inside the recursive comparison; its text becomes the feedback message."""


class _NotAttempted(Exception):
    """A placeholder (None, ..., NotImplemented) somewhere inside the learner's answer."""


def _is_placeholder(value: object) -> bool:
    return value is None or value is Ellipsis or value is NotImplemented


def _type_name(value: object) -> str:
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__.split('.')[0]}.{kind.__name__}"


def _where(path: str) -> str:
    return f"at {path}: " if path else ""


def _shape_text(shape: Sequence[int]) -> str:
    return str(tuple(int(n) for n in shape))


def _as_float_array(value: torch.Tensor | np.ndarray) -> np.ndarray:
    """float64 copy of a real tensor/array (bools and ints included); other dtypes unchanged."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        return value.numpy() if value.is_complex() else value.double().numpy()
    return value.astype(np.float64) if value.dtype.kind in "biuf" else value


def _index_text(flat_index: int, shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(int(i)) for i in np.unravel_index(flat_index, shape)) + "]"


def _number_text(value: Any) -> str:
    return f"{float(value):.6g}"


def _compare_arrays(learner: np.ndarray, reference: np.ndarray, atol: float, rtol: float, path: str) -> float:
    """Shape first, then NaN, then element-wise |l - r| <= atol + rtol * |r|; return the max abs diff."""
    where = _where(path)
    if learner.shape != reference.shape:
        raise _Mismatch(f"{where}shape {_shape_text(reference.shape)} expected, got {_shape_text(learner.shape)}")
    if learner.dtype.kind != "f" or reference.dtype.kind != "f":  # complex, strings, objects: exact
        if not np.array_equal(learner, reference):
            raise _Mismatch(f"{where}values differ")
        return 0.0
    learner_nan, reference_nan = np.isnan(learner), np.isnan(reference)
    if (learner_nan & ~reference_nan).any():
        bad = learner_nan & ~reference_nan
        first = f", first at {_index_text(int(np.flatnonzero(bad)[0]), learner.shape)}" if learner.ndim else ""
        raise _Mismatch(
            f"{where}your answer contains NaN ({int(bad.sum())} of {learner.size} values{first}); "
            "look for 0/0, e.g. dividing by a count of zero"
        )
    if (reference_nan & ~learner_nan).any():
        raise _Mismatch(f"{where}NaN expected where your answer has a number")
    compared = np.flatnonzero(~reference_nan.ravel())  # NaN in both places counts as equal
    got, expected = learner.ravel()[compared], reference.ravel()[compared]
    if got.size == 0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.where(got == expected, 0.0, np.abs(got - expected))  # inf == inf is a match
        tolerance = atol + rtol * np.where(np.isinf(expected), 0.0, np.abs(expected))
    failing = diff > tolerance
    max_diff = float(diff.max())
    if not failing.any():
        return max_diff
    worst = int(np.argmax(np.where(failing, diff - tolerance, -np.inf)))
    if learner.ndim == 0:
        raise _Mismatch(
            f"{where}expected {_number_text(expected[0])}, got {_number_text(got[0])} "
            f"(abs diff {diff[0]:.4g} > tolerance {tolerance[0]:.2g})"
        )
    if diff[worst] == max_diff:
        head = f"max abs diff {max_diff:.4g}"
    else:  # the largest difference is within its (relative) tolerance; report the worst offender
        head = f"abs diff {diff[worst]:.4g} at {_index_text(int(compared[worst]), learner.shape)}"
    first = int(np.flatnonzero(failing)[0])
    raise _Mismatch(
        f"{where}{head} > tolerance {tolerance[worst]:.2g} ({int(failing.sum())} of {learner.size} values off; "
        f"first at {_index_text(int(compared[first]), learner.shape)}: "
        f"expected {_number_text(expected[first])}, got {_number_text(got[first])})"
    )


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, (bool, np.bool_))


def _compare(learner: object, reference: object, atol: float, rtol: float, path: str) -> float | None:
    """Raise :class:`_Mismatch` or :class:`_NotAttempted`; else return the max abs diff (None if exact types)."""
    if _is_placeholder(learner) and not _is_placeholder(reference):
        raise _NotAttempted(path)
    if isinstance(reference, torch.Tensor):
        if not isinstance(learner, torch.Tensor):
            raise _Mismatch(f"{_where(path)}expected a torch.Tensor, got {_type_name(learner)}")
        return _compare_arrays(_as_float_array(learner), _as_float_array(reference), atol, rtol, path)
    if isinstance(reference, np.ndarray):
        if not isinstance(learner, (np.ndarray, torch.Tensor)):
            raise _Mismatch(f"{_where(path)}expected a numpy array, got {_type_name(learner)}")
        return _compare_arrays(_as_float_array(learner), _as_float_array(reference), atol, rtol, path)
    if isinstance(reference, (bool, np.bool_)):
        if isinstance(learner, torch.Tensor) and learner.numel() == 1 and learner.dtype == torch.bool:
            learner = learner.item()
        if not isinstance(learner, (bool, np.bool_)):
            raise _Mismatch(f"{_where(path)}expected True or False, got {_type_name(learner)}")
        if bool(learner) != bool(reference):
            raise _Mismatch(f"{_where(path)}expected {bool(reference)}, got {bool(learner)}")
        return None
    if _is_number(reference):
        if isinstance(learner, (torch.Tensor, np.ndarray)) and learner.ndim == 0:
            learner = learner.item()  # x.mean() where a float is expected is fine
        if not _is_number(learner):
            raise _Mismatch(f"{_where(path)}expected a number, got {_type_name(learner)}")
        if isinstance(learner, complex) or isinstance(reference, complex):
            raise _Mismatch(f"{_where(path)}expected a real number, got {_type_name(learner)}")
        if math.isnan(float(learner)) and not math.isnan(float(reference)):
            raise _Mismatch(f"{_where(path)}your answer is NaN; look for 0/0, e.g. dividing by a count of zero")
        return _compare_arrays(np.asarray(float(learner)), np.asarray(float(reference)), atol, rtol, path)
    if isinstance(reference, str):
        if not isinstance(learner, str):
            raise _Mismatch(f"{_where(path)}expected a str, got {_type_name(learner)}")
        if learner.strip().casefold() != reference.strip().casefold():
            raise _Mismatch(f"{_where(path)}expected {reference!r}, got {learner!r}")
        return None
    if isinstance(reference, (set, frozenset)):
        return _compare_sets(learner, reference, path)
    if isinstance(reference, (list, tuple)):
        if not isinstance(learner, (list, tuple)):
            raise _Mismatch(f"{_where(path)}expected a {type(reference).__name__}, got {_type_name(learner)}")
        if len(learner) != len(reference):
            raise _Mismatch(f"{_where(path)}length {len(reference)} expected, got {len(learner)}")
        diffs = [_compare(l, r, atol, rtol, f"{path}[{i}]") for i, (l, r) in enumerate(zip(learner, reference))]
        return _max_diff(diffs)
    if isinstance(reference, Mapping):
        if not isinstance(learner, Mapping):
            raise _Mismatch(f"{_where(path)}expected a dict, got {_type_name(learner)}")
        missing = [k for k in reference if k not in learner]
        extra = [k for k in learner if k not in reference]
        if missing or extra:
            parts = ([f"missing keys {missing}"] if missing else []) + ([f"unexpected keys {extra}"] if extra else [])
            raise _Mismatch(f"{_where(path)}" + " and ".join(parts))
        return _max_diff([_compare(learner[k], reference[k], atol, rtol, f"{path}[{k!r}]") for k in reference])
    if learner != reference:
        raise _Mismatch(f"{_where(path)}expected {reference!r}, got {learner!r}")
    return None


def _compare_sets(learner: object, reference: set | frozenset, path: str) -> None:
    """Order-free comparison; strings ignore case and surrounding spaces. Messages list sorted items."""
    if isinstance(learner, str) or not isinstance(learner, (list, tuple, set, frozenset)):
        raise _Mismatch(f"{_where(path)}expected a list of items, got {_type_name(learner)}")
    if any(_is_placeholder(item) for item in learner):
        raise _NotAttempted(path)

    def key(item: object) -> object:
        return item.strip().casefold() if isinstance(item, str) else item

    got, expected = {key(item) for item in learner}, {key(item) for item in reference}
    missing, extra = sorted(expected - got, key=repr), sorted(got - expected, key=repr)
    if missing or extra:
        parts = ([f"missing {missing}"] if missing else []) + ([f"unexpected {extra}"] if extra else [])
        raise _Mismatch(f"{_where(path)}" + " and ".join(parts))
    return None


def _max_diff(diffs: Sequence[float | None]) -> float | None:
    numeric = [d for d in diffs if d is not None]
    return max(numeric) if numeric else None


def _check_name(name: object) -> None:
    check_str("name", name)


def _check_tolerances(atol: object, rtol: object) -> None:
    check_number("atol", atol, 0.0)
    check_number("rtol", rtol, 0.0)


def _with_hint(message: str, hint: str | None) -> str:
    if not hint:
        return message
    return f"{message}{'' if message.endswith(('.', '!', '?')) else '.'} Hint: {hint}"


def _correct_text(max_diff: float | None) -> str:
    """"" for exact types (str, bool), else a fixed phrase.

    The size of a passing float difference is not printed: it depends on the CPU's rounding, and
    notebook outputs must read the same on every machine.
    """
    if max_diff is None:
        return ""
    return "matches the reference within tolerance"


def cmp(
    name: str,
    learner: object,
    reference: object,
    *,
    atol: float = 1e-5,
    rtol: float = 1e-5,
    hint: str | None = None,
) -> Feedback:
    """Compare a learner's answer with the reference and say how it differs.

    Handles numbers, bools, strings (case and surrounding spaces ignored), lists/tuples and dicts
    (recursively), sets (a reference set accepts a list in any order), numpy arrays and torch tensors (shape first, then |l - r| <= atol + rtol * |r|).
    A reference tensor needs a tensor answer; a reference float accepts a 0-d tensor.
    ``None``, ``...`` or ``NotImplemented`` means "not attempted". Introduced in notebook 01.
    """
    _check_name(name)
    _check_tolerances(atol, rtol)
    try:
        max_diff = _compare(learner, reference, float(atol), float(rtol), "")
    except _NotAttempted as placeholder:
        where = f" ({placeholder.args[0]} is still a placeholder)" if placeholder.args[0] else ""
        return Feedback(name, "not attempted", _NOT_ATTEMPTED[:-1] + where + ".")
    except _Mismatch as mismatch:
        return Feedback(name, "incorrect", _with_hint(str(mismatch), hint))
    return Feedback(name, "correct", _correct_text(max_diff))


# --------------------------------------------------------------------------- functions


def _clone(value: object) -> object:
    """Deep copy of tensors and arrays inside lists, tuples and dicts; other objects are shared."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # namedtuple
        return type(value)(*map(_clone, value))
    if isinstance(value, (list, tuple)):
        return type(value)(_clone(v) for v in value)
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    return value


def _first_change(before: object, after: object, path: str) -> str | None:
    """Where a tensor/array inside ``after`` no longer equals ``before`` (None when nothing changed)."""
    if isinstance(before, torch.Tensor):
        after = after.detach()
        same = before.shape == after.shape and (
            torch.equal(before, after)
            or (before.is_floating_point() and torch.allclose(before, after, rtol=0, atol=0, equal_nan=True))
        )
        return None if same else path
    if isinstance(before, np.ndarray):
        return None if np.array_equal(before, after, equal_nan=before.dtype.kind in "fc") else path
    if isinstance(before, (list, tuple)):
        for i, (b, a) in enumerate(zip(before, after)):
            if (where := _first_change(b, a, f"{path}[{i}]")) is not None:
                return where
    if isinstance(before, dict):
        for key in before:
            if (where := _first_change(before[key], after[key], f"{path}[{key!r}]")) is not None:
                return where
    return None


def _split_case(case: object, index: int) -> tuple[tuple[Any, ...], dict[str, Any]]:
    if isinstance(case, tuple):
        return case, {}
    if isinstance(case, Mapping):
        return (), dict(case)
    raise TypeError(f"cases[{index}]: expected a tuple of positional args or a dict of keyword args, got {describe(case)}")


def _changed_argument(fn: Callable[..., Any], path: str) -> str:
    """Name the argument at ``path`` ("[0][1]..." = 2nd positional, "[1]['mask']..." = keyword)."""
    top, _, rest = path[4:].partition("]")
    nested = rest.rstrip()
    if path.startswith("[1]"):
        return f"argument {top}" + (f", at {nested}" if nested else "")
    position = int(top)
    try:
        parameters = [
            p.name for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):  # builtins without a signature
        parameters = []
    label = repr(parameters[position]) if position < len(parameters) else str(position)
    return f"argument {label}" + (f", at {nested}" if nested else "")


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_function(
    name: str,
    learner_fn: Callable[..., Any] | None,
    reference_fn: Callable[..., Any],
    cases: Sequence[tuple[Any, ...] | Mapping[str, Any]],
    *,
    atol: float = 1e-5,
    rtol: float = 1e-5,
    hint: str | None = None,
) -> Feedback:
    """Run ``learner_fn`` and ``reference_fn`` on every case and :func:`cmp` their results.

    A case is a tuple of positional arguments or a dict of keyword arguments. Each function gets
    its own clone of the tensors/arrays in a case; changing them in place counts as incorrect.
    ``NotImplementedError`` or a ``None``/``...`` result means "not attempted"; any other exception
    is reported with its type, message and the case index. Introduced in notebook 01.
    """
    _check_name(name)
    _check_tolerances(atol, rtol)
    check_callable("reference_fn", reference_fn)
    if isinstance(cases, (str, bytes)) or not isinstance(cases, Sequence):
        raise TypeError(f"cases: expected a list of tuples or dicts, got {describe(cases)}")
    if len(cases) == 0:
        raise ValueError("cases: expected at least one case, got an empty list")
    split = [_split_case(case, i) for i, case in enumerate(cases)]
    if _is_placeholder(learner_fn):
        return Feedback(name, "not attempted", _NOT_ATTEMPTED)
    if not callable(learner_fn):
        return Feedback(name, "incorrect", _with_hint(f"expected a function, got {_type_name(learner_fn)}", hint))

    diffs: list[float | None] = []
    for index, (args, kwargs) in enumerate(split):
        expected = reference_fn(*_clone(args), **_clone(kwargs))
        learner_args, learner_kwargs = _clone(args), _clone(kwargs)
        snapshot = _clone((learner_args, learner_kwargs))
        try:
            result = learner_fn(*learner_args, **learner_kwargs)
        except NotImplementedError:
            return Feedback(name, "not attempted", _NOT_ATTEMPTED)
        except Exception as error:  # the learner's bug, reported rather than raised
            message = f"case {index} raised {type(error).__name__}: {_one_line(str(error))}"
            return Feedback(name, "incorrect", _with_hint(message, hint))
        if _is_placeholder(result) and not _is_placeholder(expected):
            if result is None:
                return Feedback(name, "not attempted", _RETURNED_NONE)
            return Feedback(name, "not attempted", _NOT_ATTEMPTED)
        changed = _first_change(snapshot, (learner_args, learner_kwargs), "")
        if changed is not None:
            message = (
                f"case {index}: your function changed its input in place ({_changed_argument(learner_fn, changed)}); "
                "work on a copy or use out-of-place ops (x = x * m, not x *= m)"
            )
            return Feedback(name, "incorrect", _with_hint(message, hint))
        try:
            diffs.append(_compare(result, expected, float(atol), float(rtol), ""))
        except _NotAttempted:
            return Feedback(name, "not attempted", _NOT_ATTEMPTED)
        except _Mismatch as mismatch:
            return Feedback(name, "incorrect", _with_hint(f"case {index}: {mismatch}", hint))
    summary = f"{len(split)} case{'s' if len(split) != 1 else ''}"
    detail = _correct_text(_max_diff(diffs))
    return Feedback(name, "correct", f"{summary}, {detail}" if detail else summary)


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True, kw_only=True)
class Exercise:
    """One exercise: its ``question``, the ``solution`` source code, a ``hint`` and a ``check`` callable.

    ``check`` takes the learner's answer (a value or a function) and returns a :class:`Feedback`.
    """

    name: str
    question: str
    solution: str
    check: Callable[..., Feedback] = field(compare=False)
    hint: str | None = None

    def __post_init__(self) -> None:
        _check_name(self.name)
        check_str("question", self.question)
        check_str("solution", self.solution)
        if self.hint is not None:
            check_str("hint", self.hint)
        check_callable("check", self.check)

    def show_solution(self) -> None:
        """Print the solution code, clearly labelled."""
        header = f"Solution — {self.name}"
        print(f"{header}\n{'─' * len(header)}\n{self.solution.strip()}")

    def show_hint(self) -> None:
        """Print the hint (or say there is none)."""
        if self.hint:
            print(f"Hint — {self.name}: {self.hint}")
        else:
            print(f"No hint for {self.name!r}; show_solution({self.name!r}) prints the solution.")


_REGISTRY: dict[str, Exercise] = {}


def register(exercise: Exercise) -> Exercise:
    """Add ``exercise`` to the registry and return it.

    Registering the same name again replaces the entry only if question and solution are unchanged
    (re-running a cell); a different exercise under a taken name raises ValueError.
    """
    check_type("exercise", exercise, Exercise, "an Exercise")
    known = _REGISTRY.get(exercise.name)
    if known is not None and (known.question, known.solution) != (exercise.question, exercise.solution):
        raise ValueError(
            f"exercise: expected a unique name, got {exercise.name!r}, which another exercise already has"
        )
    _REGISTRY[exercise.name] = exercise
    return exercise


def get_exercise(name: str) -> Exercise:
    """The registered exercise called ``name``; ValueError listing the known names otherwise."""
    check_str("name", name)
    if name not in _REGISTRY:
        known = ", ".join(repr(n) for n in _REGISTRY) or "none registered yet"
        raise ValueError(f"name: expected a known exercise ({known}), got {name!r}")
    return _REGISTRY[name]


def show_solution(name: str) -> None:
    """Print the solution code of exercise ``name``, clearly labelled. Only on request."""
    get_exercise(name).show_solution()


def show_hint(name: str) -> None:
    """Print the hint of exercise ``name``."""
    get_exercise(name).show_hint()


def list_exercises() -> list[str]:
    """Names of the registered exercises, in the order they were registered."""
    return list(_REGISTRY)


def padded_test_batch(
    seed: int, lengths: list[int], hidden: int = 6, side: str = "right", dtype: torch.dtype = torch.float32,
    scale: float = 1.0, pad_value: float = 7.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded test case for pooling exercises: token embeddings ``(batch, seq, hidden)`` and a 0/1 mask.

    Row ``i`` has ``lengths[i]`` real tokens, padded on ``side``; pads carry junk (``pad_value``), as a
    real encoder's do, so an answer that forgets the mask is caught.
    """
    seed = _checks.check_int("seed", seed, 0)
    if not isinstance(lengths, (list, tuple)):
        raise TypeError(f"lengths: expected a list of positive ints, got {_checks.describe(lengths)}")
    if len(lengths) == 0:
        raise ValueError("lengths: expected at least one length, got an empty list")
    lengths = [_checks.check_int("lengths", length, 1) for length in lengths]
    hidden = _checks.check_int("hidden", hidden, 1)
    side = _checks.check_choice("side", side, ("right", "left"))
    generator = torch.Generator().manual_seed(seed)
    seq = max(lengths)
    embeddings = torch.randn(len(lengths), seq, hidden, generator=generator) * scale
    mask = torch.zeros(len(lengths), seq, dtype=torch.int64)
    for row, length in enumerate(lengths):
        if side == "right":
            mask[row, :length] = 1
        else:
            mask[row, seq - length :] = 1
    embeddings = torch.where(mask.bool().unsqueeze(-1), embeddings, torch.full_like(embeddings, pad_value))
    return embeddings.to(dtype), mask


def function_exercise(
    *,
    name: str,
    question: str,
    solution: str,
    reference_fn: Callable[..., Any],
    cases: Sequence[tuple[Any, ...] | Mapping[str, Any]],
    hint: str | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-5,
    run: Callable[[Callable[..., Any]], Callable[..., Any]] | None = None,
) -> Exercise:
    """Register and return an exercise whose answer is a function, checked by :func:`check_function`.

    ``run`` (optional) wraps the answer and ``reference_fn`` alike before they meet the cases, for
    answers whose effect matters more than their return value (e.g. ``run`` calls a training step
    twice on a fresh model and returns the losses and the weights).
    """
    _check_tolerances(atol, rtol)
    check_callable("reference_fn", reference_fn)
    if run is not None:
        check_callable("run", run)
        reference_fn = run(reference_fn)

    def check(learner_fn: Callable[..., Any] | None) -> Feedback:
        if run is not None and callable(learner_fn):
            learner_fn = run(learner_fn)
        return check_function(name, learner_fn, reference_fn, cases, atol=atol, rtol=rtol, hint=hint)

    return register(Exercise(name=name, question=question, solution=solution, hint=hint, check=check))


def value_exercise(
    *,
    name: str,
    question: str,
    solution: str,
    reference: object,
    hint: str | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-5,
) -> Exercise:
    """Register and return an exercise whose answer is a value, checked by :func:`cmp`.

    ``reference`` is the right answer, or a function of no arguments that computes it when a check
    runs (for answers that need the model, so that importing the exercises stays cheap).
    """
    _check_tolerances(atol, rtol)

    def check(learner: object) -> Feedback:
        expected = reference() if callable(reference) else reference
        return cmp(name, learner, expected, atol=atol, rtol=rtol, hint=hint)

    return register(Exercise(name=name, question=question, solution=solution, hint=hint, check=check))
