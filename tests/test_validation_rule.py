"""The one validation rule, held for every public function of every course_lib module (issue 10).

Wrong type -> TypeError; wrong value, shape, range or emptiness -> ValueError; the message reads
"<the caller's argument>: expected ..., got ...". The walk finds every public function itself, so
a new function is covered the day it lands.
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
