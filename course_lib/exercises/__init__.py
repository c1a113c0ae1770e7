"""Exercise checks with instant feedback, shared by every notebook.

``core`` holds the machinery; each notebook's exercises live in their own module built on it::

    # course_lib/exercises/ex01.py
    from course_lib.exercises.core import function_exercise
    from course_lib.pooling import mean_pool

    masked_mean = function_exercise(
        name="masked_mean",
        question="Average the token vectors of the REAL tokens only.",
        solution="def masked_mean(x, mask):\\n    ...",
        reference_fn=mean_pool,
        cases=[(token_embeddings, attention_mask)],
        hint="divide by the number of real tokens, not the sequence length.",
    )

    # in the notebook
    ex01.masked_mean.check(masked_mean)   # Correct — masked_mean (1 case, max abs diff 2.4e-08)
    show_solution("masked_mean")          # prints the solution, only on request
"""

from course_lib.exercises.core import (
    Exercise,
    Feedback,
    check_function,
    cmp,
    function_exercise,
    get_exercise,
    list_exercises,
    padded_test_batch,
    register,
    show_hint,
    show_solution,
    value_exercise,
)

__all__ = [
    "Exercise",
    "Feedback",
    "check_function",
    "cmp",
    "function_exercise",
    "get_exercise",
    "list_exercises",
    "padded_test_batch",
    "register",
    "show_hint",
    "show_solution",
    "value_exercise",
]
