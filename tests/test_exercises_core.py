"""course_lib.exercises.core: the feedback a learner sees for right, wrong and missing answers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_lib import exercises
from course_lib.exercises import Exercise, Feedback, check_function, cmp, core

HINT = "divide by the number of REAL tokens, not the sequence length."


def reference_masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    weights = mask.unsqueeze(-1).to(x.dtype)
    return (x * weights).sum(dim=1) / weights.sum(dim=1)


def wrong_masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return (x * mask.unsqueeze(-1)).sum(dim=1) / x.shape[1]


def in_place_masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    x *= mask.unsqueeze(-1)
    return x.sum(dim=1) / mask.sum(dim=1, keepdim=True)


def _batch(padded: bool) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.randn(2, 4, 3, generator=torch.Generator().manual_seed(0))
    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]]) if padded else torch.ones(2, 4, dtype=torch.long)
    return x, mask


CASES = [_batch(padded=False), _batch(padded=True)]


# --------------------------------------------------------------------------- Feedback


def test_feedback_is_truthy_only_when_correct_and_prints_one_line():
    assert bool(Feedback("f", "correct", "max abs diff 2.4e-08"))
    assert not Feedback("f", "incorrect", "x")
    assert not Feedback("f", "not attempted")
    assert repr(Feedback("f", "correct", "max abs diff 2.4e-08")) == "Correct — f (max abs diff 2.4e-08)"
    assert repr(Feedback("f", "correct")) == "Correct — f"
    assert str(Feedback("f", "incorrect", "boom")) == "Not yet — f: boom"
    assert repr(Feedback("f", "not attempted")) == "Not attempted — f: replace the ... in the cell above."
    with pytest.raises(ValueError, match="status: expected one of"):
        Feedback("f", "maybe")


def test_package_reexports_the_core():
    assert exercises.cmp is core.cmp and exercises.Exercise is core.Exercise
    assert set(exercises.__all__) == set(core.__all__)


# --------------------------------------------------------------------------- cmp


def test_cmp_accepts_float_noise_with_a_machine_independent_message():
    reference = torch.tensor([[0.1, 0.2], [0.3, 0.4]], dtype=torch.float64)
    feedback = cmp("masked_mean", reference + 2.4e-8, reference)
    assert feedback
    assert repr(feedback) == "Correct — masked_mean (matches the reference within tolerance)"
    assert repr(cmp("masked_mean", reference.clone(), reference)) == repr(feedback)  # no CPU-dependent digits


def test_cmp_rejects_a_wrong_answer_with_the_max_difference_and_the_hint():
    reference = torch.zeros(2, 384)
    learner = reference.clone()
    learner[1, 5] = 0.1234
    feedback = cmp("masked_mean", learner, reference, hint=HINT)
    assert not feedback and feedback.status == "incorrect"
    assert repr(feedback) == (
        "Not yet — masked_mean: max abs diff 0.1234 > tolerance 1e-05 (1 of 768 values off; "
        f"first at [1, 5]: expected 0, got 0.1234). Hint: {HINT}"
    )


def test_cmp_tolerance_is_configurable():
    assert cmp("x", torch.tensor([1.001]), torch.tensor([1.0]), atol=1e-2)
    assert not cmp("x", torch.tensor([1.001]), torch.tensor([1.0]))
    assert cmp("x", torch.tensor([1000.5]), torch.tensor([1000.0]), atol=0, rtol=1e-3)
    with pytest.raises(ValueError, match="atol: expected a number >= 0.0, got -1"):
        cmp("x", 1.0, 1.0, atol=-1)


def test_cmp_reports_a_shape_mismatch_before_values():
    feedback = cmp("masked_mean", torch.zeros(384), torch.zeros(2, 384))
    assert repr(feedback) == "Not yet — masked_mean: shape (2, 384) expected, got (384,)"


def test_cmp_flags_nan_in_the_answer():
    learner = torch.tensor([[1.0, float("nan")], [0.5, 0.5]])
    feedback = cmp("masked_mean", learner, torch.ones(2, 2))
    assert not feedback
    assert "your answer contains NaN (1 of 4 values, first at [0, 1])" in feedback.message
    assert "NaN" in repr(cmp("ratio", float("nan"), 0.5))


def test_cmp_treats_nan_in_both_places_as_equal():
    assert cmp("x", torch.tensor([1.0, float("nan")]), torch.tensor([1.0, float("nan")]))
    assert not cmp("x", torch.tensor([1.0, 2.0]), torch.tensor([1.0, float("nan")]))


@pytest.mark.parametrize("placeholder", [None, Ellipsis, NotImplemented])
def test_cmp_placeholders_are_not_attempted(placeholder):
    feedback = cmp("masked_mean", placeholder, torch.zeros(3))
    assert feedback.status == "not attempted" and not feedback
    assert repr(feedback) == "Not attempted — masked_mean: replace the ... in the cell above."


def test_cmp_scalars_bools_and_strings():
    assert cmp("n", 3, 3.0)
    assert cmp("n", torch.tensor(0.5), 0.5)  # x.mean() where a float is expected
    assert repr(cmp("n", 0.7, 0.5)) == "Not yet — n: expected 0.5, got 0.7 (abs diff 0.2 > tolerance 1.5e-05)"
    assert repr(cmp("b", True, False)) == "Not yet — b: expected False, got True"
    assert not cmp("b", 1, True)
    assert cmp("s", " Mean", "mean")
    assert repr(cmp("s", "cls", "mean")) == "Not yet — s: expected 'mean', got 'cls'"
    assert repr(cmp("n", "0.5", 0.5)) == "Not yet — n: expected a number, got str"


def test_cmp_recurses_into_lists_tuples_and_dicts():
    assert cmp("l", [1.0, (torch.ones(2), "a")], [1.0, (torch.ones(2), "a")])
    assert repr(cmp("l", [1.0, (torch.ones(3), "a")], [1.0, (torch.ones(2), "a")])) == (
        "Not yet — l: at [1][0]: shape (2,) expected, got (3,)"
    )
    assert repr(cmp("l", [1.0], [1.0, 2.0])) == "Not yet — l: length 2 expected, got 1"
    assert repr(cmp("d", {"cls": 0.5}, {"cls": 0.5, "mean": 0.8})) == "Not yet — d: missing keys ['mean']"
    assert "at ['mean']: expected 0.8, got 0.7" in repr(cmp("d", {"mean": 0.7}, {"mean": 0.8}))
    assert cmp("l", [1.0, None], [1.0, 2.0]).status == "not attempted"


def test_cmp_wants_a_tensor_when_the_reference_is_one():
    assert repr(cmp("t", [1.0, 2.0], torch.tensor([1.0, 2.0]))) == (
        "Not yet — t: expected a torch.Tensor, got list"
    )
    assert cmp("a", torch.tensor([1.0, 2.0]), np.array([1.0, 2.0]))
    assert cmp("t", torch.tensor([1, 2]), torch.tensor([1.0, 2.0]))  # dtype does not matter, values do
    assert not cmp("t", torch.tensor([1, 3]), torch.tensor([1, 2]))


def test_feedback_text_is_deterministic():
    values = [cmp("x", torch.randn(3) + 1, torch.ones(3)) for _ in range(2)]
    texts = [repr(v) for v in values] + [repr(cmp("x", object(), 1.0)), repr(cmp("x", lambda: 1, 1.0))]
    assert all("0x" not in text for text in texts)


# --------------------------------------------------------------------------- check_function


def test_check_function_passes_a_correct_function():
    feedback = check_function("masked_mean", reference_masked_mean, reference_masked_mean, CASES)
    assert feedback
    assert repr(feedback) == "Correct — masked_mean (2 cases, matches the reference within tolerance)"


def test_check_function_names_the_first_failing_case():
    feedback = check_function("masked_mean", wrong_masked_mean, reference_masked_mean, CASES, hint=HINT)
    assert not feedback
    assert feedback.message.startswith("case 1: max abs diff")  # case 0 has no padding: same answer
    assert feedback.message.endswith(f"Hint: {HINT}")


def test_check_function_not_attempted():
    def raises_not_implemented(x, mask):
        raise NotImplementedError

    def only_dots(x, mask):
        ...

    assert check_function("f", raises_not_implemented, reference_masked_mean, CASES).status == "not attempted"
    returned_none = check_function("f", only_dots, reference_masked_mean, CASES)
    assert returned_none.status == "not attempted"
    assert "returned None" in returned_none.message
    assert check_function("f", ..., reference_masked_mean, CASES).status == "not attempted"
    assert check_function("f", None, reference_masked_mean, CASES).status == "not attempted"


def test_check_function_reports_an_exception_with_type_message_and_case():
    def crashes_on_padding(x, mask):
        if (mask == 0).any():
            raise ZeroDivisionError("division by zero")
        return reference_masked_mean(x, mask)

    feedback = check_function("f", crashes_on_padding, reference_masked_mean, CASES)
    assert repr(feedback) == "Not yet — f: case 1 raised ZeroDivisionError: division by zero"


def test_check_function_detects_in_place_modification():
    feedback = check_function("masked_mean", in_place_masked_mean, reference_masked_mean, CASES)
    assert feedback.status == "incorrect"
    assert "case 1: your function changed its input in place (argument 'x')" in feedback.message
    kwargs_cases = [{"x": CASES[1][0], "mask": CASES[1][1]}]
    by_keyword = check_function("masked_mean", in_place_masked_mean, reference_masked_mean, kwargs_cases)
    assert "(argument 'x')" in by_keyword.message


def test_check_function_gives_each_side_its_own_copy_of_the_inputs():
    def greedy_reference(x):
        total = x.sum()
        x.zero_()  # a careless reference must not change what the learner receives
        return total

    x = torch.arange(4.0)
    assert check_function("total", lambda v: v.sum(), greedy_reference, [(x,)])
    assert torch.equal(x, torch.arange(4.0))  # the case itself is untouched, so it can be reused


def test_check_function_validates_its_own_arguments():
    assert repr(check_function("f", 3, reference_masked_mean, CASES)) == (
        "Not yet — f: expected a function, got int"
    )
    with pytest.raises(ValueError, match="cases: expected at least one case"):
        check_function("f", reference_masked_mean, reference_masked_mean, [])
    with pytest.raises(TypeError, match="cases: expected a list of tuples or dicts"):
        check_function("f", reference_masked_mean, reference_masked_mean, "abc")
    with pytest.raises(TypeError, match=r"cases\[0\]: expected a tuple of positional args or a dict"):
        check_function("f", reference_masked_mean, reference_masked_mean, [torch.zeros(2)])
    with pytest.raises(TypeError, match="reference_fn: expected a function"):
        check_function("f", reference_masked_mean, None, CASES)


# --------------------------------------------------------------------------- registry


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(core, "_REGISTRY", {})
    exercise = Exercise(
        name="masked_mean",
        question="Average only the real tokens.",
        solution=(
            "def masked_mean(x, mask):\n    w = mask.unsqueeze(-1).float()\n    return (x * w).sum(1) / w.sum(1)\n"
        ),
        hint=HINT,
        check=lambda fn: check_function("masked_mean", fn, reference_masked_mean, CASES, hint=HINT),
    )
    return exercises.register(exercise)


def test_registered_exercise_checks_answers(registry):
    assert exercises.get_exercise("masked_mean") is registry
    assert registry.check(reference_masked_mean)
    assert not registry.check(wrong_masked_mean)
    assert exercises.list_exercises() == ["masked_mean"]


def test_solution_is_printed_only_on_request(registry, capsys):
    assert capsys.readouterr().out == ""
    exercises.show_solution("masked_mean")
    printed = capsys.readouterr().out
    assert printed.startswith("Solution — masked_mean\n")
    assert "return (x * w).sum(1) / w.sum(1)" in printed
    exercises.show_hint("masked_mean")
    assert capsys.readouterr().out == f"Hint — masked_mean: {HINT}\n"


def test_unknown_names_raise_and_list_the_known_ones(registry):
    for show in (exercises.show_solution, exercises.show_hint, exercises.get_exercise):
        with pytest.raises(ValueError, match=r"name: expected a known exercise \('masked_mean'\), got 'masked_mea'"):
            show("masked_mea")


def test_register_is_idempotent_but_refuses_a_name_clash(registry):
    exercises.register(registry)  # re-running the notebook cell
    assert exercises.list_exercises() == ["masked_mean"]
    clash = Exercise(name="masked_mean", question="Something else.", solution="pass", check=lambda fn: None)
    with pytest.raises(ValueError, match="exercise: expected a unique name, got 'masked_mean'"):
        exercises.register(clash)
    with pytest.raises(TypeError, match="exercise: expected an Exercise, got a dict"):
        exercises.register({"name": "x"})


def test_feedback_html_shows_a_coloured_word_and_no_emoji():
    for status, word in (("correct", "Correct"), ("incorrect", "Not yet"), ("not attempted", "Not attempted")):
        page = Feedback("f<1>", status, "a & b")._repr_html_()
        assert f">{word}</span>" in page and "color: #" in page and "f&lt;1&gt;" in page
        assert all(ord(ch) < 0x2000 or ch == "—" for ch in page + repr(Feedback("f", status)))


def test_value_exercise_computes_a_callable_reference_at_check_time(registry):
    calls = []

    def reference() -> list[bool]:
        calls.append(1)
        return [True, False]

    exercise = exercises.value_exercise(name="lazy", question="Q?", solution="[True, False]", reference=reference)
    assert calls == []
    assert exercise.check([True, False]) and not exercise.check([True, True]) and len(calls) == 2


def test_exercise_validates_its_fields():
    with pytest.raises(TypeError, match="check: expected a function"):
        Exercise(name="x", question="q", solution="s", check="not callable")
    with pytest.raises(TypeError, match="solution: expected a string"):
        Exercise(name="x", question="q", solution=None, check=lambda fn: None)


def test_factories_register_exercises_with_their_checks(monkeypatch, capsys):
    monkeypatch.setattr(core, "_REGISTRY", {})
    pooled = exercises.function_exercise(
        name="masked_mean", question="q", solution="s", reference_fn=reference_masked_mean, cases=CASES, hint=HINT
    )
    answer = exercises.value_exercise(name="best_method", question="q", solution="'mean'", reference="mean")
    assert exercises.list_exercises() == ["masked_mean", "best_method"]
    assert repr(pooled.check(reference_masked_mean)) == "Correct — masked_mean (2 cases, matches the reference within tolerance)"
    assert pooled.check(wrong_masked_mean).message.endswith(f"Hint: {HINT}")
    assert answer.check("Mean") and not answer.check("cls")
    assert answer.check(...).status == "not attempted"
    answer.show_hint()
    assert capsys.readouterr().out == "No hint for 'best_method'; show_solution('best_method') prints the solution.\n"


def test_every_exercise_module_defines_exercises_one_way_with_its_notebook_prefix():
    import importlib
    import inspect
    import pkgutil

    import course_lib.exercises as package

    modules = sorted(info.name for info in pkgutil.iter_modules(package.__path__) if info.name.startswith("ex"))
    assert modules[:5] == ["ex01", "ex02", "ex03", "ex04", "ex05"]
    for module_name in modules:
        module = importlib.import_module(f"course_lib.exercises.{module_name}")
        source = inspect.getsource(module)
        for forbidden in ("register(", "Exercise(", "lambda", "core import _", "def check_function"):
            assert forbidden not in source, f"{module_name} uses {forbidden!r}"
        exposed = [name for name in module.__all__ if isinstance(getattr(module, name), Exercise)]
        assert exposed == [], f"{module_name} exposes Exercise objects {exposed}; expose each check once"
    for name in exercises.list_exercises():
        assert name[:2] == "ex" and name[2:4].isdigit() and name[4] == "_", name
