"""The one validation rule, held for every public function of every course_lib module (issue 10).

Wrong type -> TypeError; wrong value, shape, range or emptiness -> ValueError; the message reads
"<the caller's argument>: expected ..., got ...". The walk (``public_functions``) finds every public
function itself, so a new function is covered the day it lands. Five families of mistakes run over
that walk, each picking its parameters from the signature (annotations read as text):

- wrong type: the first parameter gets ``Unexpected()`` -> TypeError naming it (every function).
- empty: every parameter annotated ``torch.Tensor`` (or unannotated with a tensor's name from
  ``TENSOR_DUMMIES``) gets ``torch.empty(0, 4)``; every ``Sequence[str]`` / ``list[str]`` /
  ``str | Sequence[str]`` parameter gets ``[]`` -> ValueError naming it.
- NaN: every tensor parameter (as above) gets a NaN tensor of each of the dummies' ranks (1-d,
  2-d, 3-d) -> ValueError naming it: the wrong rank is refused, and at the right rank the NaN is.
- out of range: every int parameter named k, batch_size, max_length, chunk_size, dims, epochs,
  repeats or n_clusters gets 0 and -1 -> ValueError naming it.
- unknown name: every str parameter named method, pooling, measure, reduction, split, side,
  padding_side, approach or kind, plus the documented-choice strings in ``DOCUMENTED_CHOICES``,
  gets "no-such-choice" -> ValueError naming it.

A parameter is tried only when the parameters before it can be given a valid-looking dummy
(``valid_dummy``: its default, texts, a small int or float, a named tensor from
``TENSOR_DUMMIES``); the required ones after it get ``Unexpected()``, so the arguments must be
checked in order. The NaN family needs a dummy for every other parameter too (a NaN may only be
refused once the mask or partner tensor is known). Parameters without a generic dummy (models,
data classes, nn.Modules, label arrays whose shape differs between modules) are not reached: the
wrong-type family still covers those functions' first argument. The ``NOT_*_CHECKED`` tables list
where a family's value is legitimately accepted, with the reason.
"""
from __future__ import annotations

import importlib
import inspect
import math
import pkgutil

import pytest
import torch

import course_lib

# Functions that take no input to check, or whose first argument may be anything by design.
NOT_CHECKED = {
    "course_lib.models.default_model_path",  # no arguments
    "course_lib.data.data_dir",
    "course_lib.plotting.style.course_style",  # a context manager with no arguments
    "course_lib.plotting.style.color_for",  # any object is a name; unknown names fall back to the palette
    "course_lib.exercises.core.cmp",  # compares any answer
    "course_lib.exercises.core.list_exercises",
    "course_lib.scale.peak_rss_growth",  # runs any callable
    # Reference answers of the exercises: they mirror the learner's code and only ever receive the
    # check's own cases, so they carry no input checks of their own.
    "course_lib.exercises.ex01.reference_word_vector",
    "course_lib.exercises.ex01.reference_lost_tokens",
    "course_lib.exercises.ex02.reference_left_padding_cls",
    "course_lib.exercises.ex02.reference_mean_sqrt_len_from_mean",
    "course_lib.exercises.ex03.reference_words_alone",
    "course_lib.exercises.ex04.reference_training_step",
    "course_lib.exercises.ex04.two_steps_on_a_tiny_bert",
    "course_lib.exercises.ex04.tiny_bert_batch",
    "course_lib.exercises.ex05.cosine_from_unit_distance",
    "course_lib.exercises.ex06.reference_whitened_cosines",
}


def is_a_check(function, parameters) -> bool:
    """The checks themselves (``check_x(name, value, ...)``) take the caller's name first."""
    return function.__name__.startswith("check_") and parameters[0].name == "name"


def public_functions():
    found = []
    for info in pkgutil.walk_packages(course_lib.__path__, "course_lib."):
        if info.name.split(".")[-1].startswith("_"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(value) or value.__module__ != module.__name__:
                continue
            qualified = f"{module.__name__}.{name}"
            if qualified in NOT_CHECKED:
                continue
            parameters = [p for p in inspect.signature(value).parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            if parameters and not is_a_check(value, parameters):
                found.append(pytest.param(value, parameters, id=qualified))
    return found


class Unexpected:
    """A value no course_lib function accepts."""

    def __repr__(self) -> str:
        return "Unexpected()"


@pytest.mark.parametrize(("function", "parameters"), public_functions())
def test_a_wrong_type_first_argument_is_a_type_error_naming_it(function, parameters):
    first = parameters[0]
    arguments = [Unexpected()] + [Unexpected() for p in parameters[1:] if p.default is inspect.Parameter.empty]
    with pytest.raises(TypeError) as raised:
        result = function(*arguments)
        if inspect.isgenerator(result):
            next(result)
    message = str(raised.value)
    assert message.startswith(f"{first.name}: expected ") or message.startswith(f"{first.name}["), message
    assert ", got " in message, message


# --- The value families: empty, NaN, out of range, unknown name (see the module docstring) -----

TEXTS_ANNOTATIONS = ("Sequence[str]", "list[str]", "str | Sequence[str]")
RANGED_INT_NAMES = {"k", "batch_size", "max_length", "chunk_size", "dims", "epochs", "repeats", "n_clusters"}
CHOICE_NAMES = {"method", "pooling", "measure", "reduction", "split", "side", "padding_side", "approach", "kind"}
NOT_A_DUMMY = object()
# Tensor-like arguments share names across modules; a name here is a valid-looking dummy for it,
# and marks an unannotated parameter of that name as tensor-like.
ROWS = 12  # more rows than any default k, and than the 4 dimensions (a whitening needs n > d)
TENSOR_DUMMIES = {
    "token_embeddings": lambda: torch.randn(2, 3, 4),
    "attention_mask": lambda: torch.ones(2, 3, dtype=torch.long),
    "a": lambda: torch.randn(ROWS, 4),
    "b": lambda: torch.randn(ROWS, 4),
    "query": lambda: torch.randn(ROWS, 4),
    "queries": lambda: torch.randn(ROWS, 4),
    "corpus": lambda: torch.randn(ROWS, 4),
    "embeddings": lambda: torch.randn(ROWS, 4),
    "vectors": lambda: torch.randn(ROWS, 4),
    "emb_a": lambda: torch.randn(ROWS, 4),
    "emb_b": lambda: torch.randn(ROWS, 4),
    "u": lambda: torch.randn(ROWS, 4),
    "v": lambda: torch.randn(ROWS, 4),
    "text_vectors": lambda: torch.randn(ROWS, 4),
    "word_vectors": lambda: torch.randn(ROWS, 4),
    "query_tokens": lambda: torch.randn(ROWS, 4),
    "doc_tokens": lambda: torch.randn(ROWS, 4),
    "last_hidden_state": lambda: torch.randn(2, 3, 4),
    "gold": lambda: torch.rand(ROWS) * 5,
    "scores_a": lambda: torch.randn(ROWS),
    "scores_b": lambda: torch.randn(ROWS),
    "closeness_a": lambda: torch.randn(3, ROWS),
    "closeness_b": lambda: torch.randn(3, ROWS),
}


def is_tensor_annotation(parameter) -> bool:
    """Annotated as a tensor, or unannotated with a tensor's name (``a``, ``corpus``, ...)."""
    annotation = str(parameter.annotation)
    if parameter.annotation is inspect.Parameter.empty:
        return parameter.name in TENSOR_DUMMIES
    return "torch.Tensor" in annotation and "[" not in annotation


def is_texts_annotation(parameter) -> bool:
    return str(parameter.annotation) in TEXTS_ANNOTATIONS


def valid_dummy(parameter):
    """A valid-looking value for a parameter before the one under test, or NOT_A_DUMMY."""
    if parameter.default is not inspect.Parameter.empty:
        return parameter.default
    if is_texts_annotation(parameter):
        return [f"sentence number {i}" for i in range(ROWS)]
    annotation = str(parameter.annotation)
    if annotation == "int":
        return 2
    if annotation == "float":
        return 2.0
    if annotation in ("list[int]", "Sequence[int]"):
        return [3, 2]
    if annotation == "Sequence[SearchHit]":
        return []  # no hits is a valid result
    if annotation.startswith("Callable[[]"):
        return lambda: None
    if annotation == "str" and parameter.name not in CHOICE_NAMES:
        return "a short text"
    if is_tensor_annotation(parameter) and parameter.name in TENSOR_DUMMIES:
        return TENSOR_DUMMIES[parameter.name]()
    return NOT_A_DUMMY  # a tensor's valid rank and shape cannot be read from the signature alone


def call_with(function, parameters, target, value, fill_after=False):
    """Call ``function`` with ``value`` for ``target``, dummies before it (and after it when
    ``fill_after``), ``Unexpected()`` for the required parameters after it otherwise."""
    arguments = []
    for parameter in parameters:
        if parameter is target:
            arguments.append(value)
        elif fill_after or parameters.index(parameter) < parameters.index(target):
            arguments.append(valid_dummy(parameter))
        elif parameter.default is inspect.Parameter.empty:
            arguments.append(Unexpected())
        else:
            break
    result = function(*arguments)
    if inspect.isgenerator(result):
        next(result)


def cases(selects, skipped, fill_after=False, also=()):
    """``(function, parameters, target)`` for every walked function and every parameter ``selects``
    picks (or ``also`` names) whose earlier (with ``fill_after``: all other) parameters have a valid dummy."""
    found = []
    for case in public_functions():
        function, parameters = case.values
        for position, parameter in enumerate(parameters):
            key = f"{case.id}:{parameter.name}"
            if not (selects(parameter) or key in also) or key in skipped or case.id in skipped:
                continue
            others = parameters[:position] + (parameters[position + 1 :] if fill_after else [])
            if any(valid_dummy(p) is NOT_A_DUMMY for p in others):
                continue
            found.append(pytest.param(function, parameters, parameter, id=f"{case.id}:{parameter.name}"))
    return found


def assert_names(raised, parameter) -> None:
    message = str(raised.value)
    assert message.startswith(f"{parameter.name}: expected ") or message.startswith(f"{parameter.name}["), message
    assert ", got " in message, message


# Where the family's value is legitimately accepted, or a generic call is impossible.
HAMMING = "a and b are packed uint8 codes: a float dummy is a TypeError by design, and NaN cannot occur"
NOT_NAN_CHECKED = {
    "course_lib.compress.hamming_distance": HAMMING,
    "course_lib.compress.hamming_similarity": HAMMING,
    "course_lib.exercises.ex07.reference_hamming": HAMMING,
}
NOT_EMPTY_CHECKED = NOT_NAN_CHECKED | {
    "course_lib.retrieval.load_retrieval_task:distractor_splits": "no distractor splits is a valid corpus (test sentences only)",
    "course_lib.compression_eval.load_compression_data:distractor_splits": "no distractor splits is a valid corpus (test sentences only)",
}

NOT_RANGE_CHECKED: dict[str, str] = {}
NOT_CHOICE_CHECKED: dict[str, str] = {}


def is_empty_candidate(parameter) -> bool:
    return is_tensor_annotation(parameter) or is_texts_annotation(parameter)


@pytest.mark.parametrize(("function", "parameters", "target"), cases(is_empty_candidate, NOT_EMPTY_CHECKED))
def test_an_empty_argument_is_a_value_error_naming_it(function, parameters, target):
    empty = torch.empty(0, 4) if is_tensor_annotation(target) else []
    with pytest.raises(ValueError) as raised:
        call_with(function, parameters, target, empty)
    assert_names(raised, target)


@pytest.mark.parametrize(("function", "parameters", "target"), cases(is_tensor_annotation, NOT_NAN_CHECKED, fill_after=True))
@pytest.mark.parametrize("shape", [(ROWS,), (ROWS, 4), (2, 3, 4)], ids=["1-d", "2-d", "3-d"])
def test_a_nan_tensor_is_a_value_error_naming_it(function, parameters, target, shape):
    """Whatever the rank, NaN (or the wrong rank) is a ValueError naming the argument; so at the
    expected rank it is the NaN that is refused. The shapes match the dummies' (see TENSOR_DUMMIES)."""
    with pytest.raises(ValueError) as raised:
        call_with(function, parameters, target, torch.full(shape, math.nan), fill_after=True)
    assert_names(raised, target)


def is_ranged_int(parameter) -> bool:
    return parameter.name in RANGED_INT_NAMES and str(parameter.annotation).startswith("int")


@pytest.mark.parametrize(("function", "parameters", "target"), cases(is_ranged_int, NOT_RANGE_CHECKED))
@pytest.mark.parametrize("value", [0, -1])
def test_an_out_of_range_count_is_a_value_error_naming_it(function, parameters, target, value):
    with pytest.raises(ValueError) as raised:
        call_with(function, parameters, target, value)
    assert_names(raised, target)


# String parameters with another name whose docstring lists the choices.
DOCUMENTED_CHOICES = {"course_lib.data.has_real_data:name", "course_lib.exercises.core.get_exercise:name",
                      "course_lib.exercises.core.show_hint:name", "course_lib.exercises.core.show_solution:name"}


def is_choice(parameter) -> bool:
    return parameter.name in CHOICE_NAMES and str(parameter.annotation) == "str"


@pytest.mark.parametrize(("function", "parameters", "target"), cases(is_choice, NOT_CHOICE_CHECKED, also=DOCUMENTED_CHOICES))
def test_an_unknown_choice_is_a_value_error_naming_it(function, parameters, target):
    with pytest.raises(ValueError) as raised:
        call_with(function, parameters, target, "no-such-choice")
    assert_names(raised, target)


def test_the_skip_tables_name_walked_parameters():
    """A renamed or removed function must not leave a stale exemption behind."""
    walked = set()
    for case in public_functions():
        walked.add(case.id)
        walked.update(f"{case.id}:{p.name}" for p in case.values[1])
    tables = (NOT_EMPTY_CHECKED, NOT_NAN_CHECKED, NOT_RANGE_CHECKED, NOT_CHOICE_CHECKED, DOCUMENTED_CHOICES)
    stale = [key for table in tables for key in table if key not in walked]
    assert not stale, stale
