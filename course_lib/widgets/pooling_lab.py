"""The pooling lab: check a learner's own pooling function, score it, and rank it (notebook 08).

The learner writes ``def my_pool(token_embeddings, attention_mask)`` (``(batch, seq, hidden)`` and
``(batch, seq)`` in, ``(batch, dim)`` out) and calls ``pooling_lab(my_pool, lab)``. The lab

1. runs six checks on small synthetic batches whose padding holds junk, as a real encoder's does:
   output shape, padding invariance on the right and on the left, the inputs left unmodified,
   finite output in float16, no NaN for one-token sentences. Each prints one Pass/Fail line; a crash is
   explained from the learner's own line of code, never as a torch traceback;
2. scores it: Spearman ρ of cosine similarity on the held-out bundled pairs, and on the STS
   Benchmark test set when ``COURSE_DATA_DIR`` has it (cached encoder outputs, so it takes seconds);
3. places it on a leaderboard with the six built-in poolings and the learned heads, as a table and
   a bar chart.

:func:`pooling_lab` returns a :class:`LabReport` that displays as HTML in Jupyter and as plain text
elsewhere; everything is plain data, so it is tested headless. :func:`pooling_lab_static` draws the
leaderboard without an entry, for readers of a notebook that has not been run.
"""

from __future__ import annotations

import html
import linecache
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn

from course_lib._checks import check_str, check_type, describe
from course_lib.learned_pooling import PairStates, cache_pairs, embed_cached, pair_cosines
from course_lib.models import LoadedModel
from course_lib.pooling import POOLERS

__all__ = [
    "CHECK_NAMES",
    "CheckResult",
    "LabData",
    "LabReport",
    "LeaderboardRow",
    "check_pooling_function",
    "prepare_lab",
    "pooling_lab",
    "pooling_lab_static",
]

CHECK_NAMES: tuple[str, ...] = (
    "output shape",
    "padding on the right",
    "padding on the left",
    "inputs unchanged",
    "float16 stays finite",
    "one-token sentences",
)
_HIDDEN = 16
_TOLERANCE = 1e-4


@dataclass(frozen=True)
class CheckResult:
    """One check: its ``name``, whether it ``passed``, and a sentence saying what was seen."""

    name: str
    passed: bool
    detail: str

    @property
    def line(self) -> str:
        return f"{'Pass' if self.passed else 'Fail'} — {self.name}: {self.detail}"

    def _repr_html_(self) -> str:
        word, colour = ("Pass", "#1a7f37") if self.passed else ("Fail", "#cf222e")
        return (f'<div><span style="color: {colour}; font-weight: bold">{word}</span> — '
                f"<b>{html.escape(self.name)}</b>: {html.escape(self.detail)}</div>")


# --------------------------------------------------------------------------- explaining errors

_HINTS = (
    ("must match the size of tensor", "two tensors do not line up; the mask is (batch, seq) and the token "
     "embeddings (batch, seq, hidden): use attention_mask.unsqueeze(-1) to multiply or fill them"),
    ("expected scalar type", "two dtypes meet (an int mask and float vectors?); convert with "
     "attention_mask.to(token_embeddings.dtype), or .bool() to use it in masked_fill"),
    ("not implemented for 'Half'", "this operation has no float16 version here; compute in float32 "
     "(token_embeddings.float()) and convert the result back with .to(token_embeddings.dtype)"),
    ("dimension out of range", "token_embeddings has 3 dimensions (batch, seq, hidden): dim=1 is the sequence"),
    ("masked_fill_ only supports boolean masks", "masked_fill wants a bool mask: attention_mask.bool() or attention_mask == 0"),
    ("expected a boolean", "masked_fill wants a bool mask: attention_mask.bool() or attention_mask == 0"),
)


def _explain(error: BaseException, fn: Callable[..., Any]) -> str:
    """One readable sentence: which of the learner's lines raised what, and a hint when we know one."""
    code = getattr(fn, "__code__", None)
    where = ""
    if code is not None:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == code.co_filename]
        if frames:
            frame = frames[-1]
            text = (frame.line or linecache.getline(frame.filename, frame.lineno)).strip()
            offset = frame.lineno - code.co_firstlineno + 1
            where = f"line {offset} of {getattr(fn, '__name__', 'your function')} (`{text}`) raised "
    message = " ".join(str(error).split())
    message = message if len(message) <= 160 else message[:159] + "…"
    sentence = f"{where}{type(error).__name__}: {message}" if where else f"raised {type(error).__name__}: {message}"
    for pattern, hint in _HINTS:
        if pattern in str(error):
            return f"{sentence}. Hint: {hint}."
    return sentence


class _Crash(Exception):
    """The learner's function failed; ``args[0]`` is the readable explanation."""


def _run(fn: Callable[..., Any], token_embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Call ``fn`` on copies; a crash or a non-tensor result becomes :class:`_Crash` with a clear message."""
    try:
        with torch.no_grad():
            output = fn(token_embeddings, attention_mask)
    except Exception as error:  # the learner's bug, explained rather than raised
        raise _Crash(_explain(error, fn)) from None
    if output is None or output is Ellipsis:
        raise _Crash("returned None: return the pooled (batch, dim) tensor")
    if not isinstance(output, torch.Tensor):
        raise _Crash(f"returned {describe(output)}; expected a torch.Tensor of shape (batch, dim)")
    return output


# --------------------------------------------------------------------------- the test batches


def _batch(lengths: list[int], side: str = "right", dtype: torch.dtype = torch.float32, seed: int = 0,
           scale: float = 1.0, offset: float = 0.0) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
    """A padded batch ``(batch, seq, hidden)`` with junk in the pads, its 0/1 mask, and each row's real tokens."""
    generator = torch.Generator().manual_seed(seed)
    seq = max(lengths)
    rows = [torch.randn(n, _HIDDEN, generator=generator) * scale + offset for n in lengths]
    junk = torch.randn(len(lengths), seq, _HIDDEN, generator=generator) * 3.0 + 5.0  # pads are never zeros
    embeddings, mask = junk.clone(), torch.zeros(len(lengths), seq, dtype=torch.int64)
    for i, row in enumerate(rows):
        start = 0 if side == "right" else seq - row.shape[0]
        embeddings[i, start : start + row.shape[0]] = row
        mask[i, start : start + row.shape[0]] = 1
    return embeddings.to(dtype), mask, [row.to(dtype) for row in rows]


def _compare_with_alone(fn, embeddings, mask, rows) -> tuple[bool, str]:
    batched = _run(fn, embeddings.clone(), mask.clone()).float()
    worst, worst_row = 0.0, -1
    for i, row in enumerate(rows):
        alone = _run(fn, row.unsqueeze(0).clone(), torch.ones(1, row.shape[0], dtype=torch.int64)).float()
        if alone.shape != batched[i : i + 1].shape:
            return False, f"row {i} alone gives shape {tuple(alone.shape)}, in the batch {tuple(batched[i:i + 1].shape)}"
        gap = float((alone - batched[i : i + 1]).abs().max())
        if not np.isfinite(gap) or gap > worst:
            worst, worst_row = (gap if np.isfinite(gap) else float("inf")), i
    if worst <= _TOLERANCE * max(1.0, float(batched.abs().max())):
        return True, "every sentence gets the same vector alone and in the padded batch"
    n_pads = int((mask[worst_row] == 0).sum())
    return False, (
        f"sentence {worst_row} ({n_pads} pads) changes by up to {worst:.3g} when padded; the padded positions "
        "hold junk vectors, so they must get no weight (multiply by the mask, or fill them before a max)"
    )


def check_pooling_function(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> list[CheckResult]:
    """Run the six checks of :data:`CHECK_NAMES` on ``fn``; never raises for the learner's bugs."""
    if not callable(fn):
        raise TypeError(f"fn: expected a function my_pool(token_embeddings, attention_mask), got {describe(fn)}")
    results: list[CheckResult] = []
    embeddings, mask, rows = _batch([6, 4, 2])

    # 1. shape, with the inputs kept for check 4
    given_embeddings, given_mask = embeddings.clone(), mask.clone()
    try:
        output = _run(fn, given_embeddings, given_mask)
        if output.dim() == 2 and output.shape[0] == 3 and output.shape[1] >= 1 and output.is_floating_point():
            note = "" if output.shape[1] == _HIDDEN else f" (your vectors have {output.shape[1]} numbers, hidden is {_HIDDEN})"
            results.append(CheckResult(CHECK_NAMES[0], True, f"(batch, dim) = {tuple(output.shape)} for 3 sentences{note}"))
        else:
            results.append(CheckResult(
                CHECK_NAMES[0], False,
                f"expected a float tensor (batch, dim) = (3, {_HIDDEN}) for 3 sentences of hidden size {_HIDDEN}, "
                f"got {describe(output)}; pool over dim=1 (the sequence), keep dim 0 (the batch)",
            ))
            skipped = "not run: fix the output shape first (see above)"
            return results + [CheckResult(name, False, skipped) for name in CHECK_NAMES[1:]]
    except _Crash as crash:
        results.append(CheckResult(CHECK_NAMES[0], False, str(crash)))
        skipped = "not run: the function crashed on the first batch (see above)"
        return results + [CheckResult(name, False, skipped) for name in CHECK_NAMES[1:]]

    # 2, 3. padding invariance: each sentence alone vs in a right- or left-padded batch
    for name, side in ((CHECK_NAMES[1], "right"), (CHECK_NAMES[2], "left")):
        try:
            passed, detail = _compare_with_alone(fn, *_batch([6, 4, 2], side=side, seed=1))
        except _Crash as crash:
            passed, detail = False, str(crash)
        results.append(CheckResult(name, passed, detail))

    # 4. inputs unchanged (from the call of check 1)
    changed = [label for label, before, after in (
        ("token_embeddings", embeddings, given_embeddings), ("attention_mask", mask, given_mask)
    ) if not torch.equal(before, after)]
    if changed:
        results.append(CheckResult(
            CHECK_NAMES[3], False,
            f"your function changed {' and '.join(changed)} in place (e.g. x[mask == 0] = 0, masked_fill_, x *= m); "
            "the caller's tensors are corrupted: use out-of-place ops (x.masked_fill(...), x = x * m)",
        ))
    else:
        results.append(CheckResult(CHECK_NAMES[3], True, "token_embeddings and attention_mask are untouched"))

    # 5. float16: 300 tokens near 400 sum to ~120,000, beyond float16's largest number (65,504)
    try:
        half_embeddings, half_mask, _ = _batch([300, 120], dtype=torch.float16, seed=2, scale=5.0, offset=400.0)
        half = _run(fn, half_embeddings, half_mask)
        if bool(torch.isfinite(half.float()).all()):
            results.append(CheckResult(CHECK_NAMES[4], True, "a float16 batch of 300 tokens near 400 gives finite vectors"))
        else:
            results.append(CheckResult(
                CHECK_NAMES[4], False,
                "a float16 batch of 300 tokens near 400 gives inf/NaN: the float16 sum overflows (max 65,504) "
                "or a -1e9 fill becomes -inf; sum in float32 (x.float()) and use torch.finfo(x.dtype).min as a fill",
            ))
    except _Crash as crash:
        results.append(CheckResult(CHECK_NAMES[4], False, str(crash)))

    # 6. one real token
    try:
        single = _run(fn, *_batch([1, 1, 3], seed=3)[:2])
        if not bool(torch.isfinite(single.float()).all()):
            results.append(CheckResult(
                CHECK_NAMES[5], False,
                "a sentence with a single token gives NaN or inf (a division by n - 1, a std, or weights that sum to 0?)",
            ))
        else:
            results.append(CheckResult(CHECK_NAMES[5], True, "sentences of one token give finite vectors, no NaN"))
    except _Crash as crash:
        results.append(CheckResult(CHECK_NAMES[5], False, str(crash)))
    return results


# --------------------------------------------------------------------------- data, scores, leaderboard


@dataclass
class LabData:
    """What the lab scores against: cached pairs per dataset and the entries already on the board.

    ``datasets`` maps a name ("bundled (held-out)", "STS-B test") to :class:`PairStates`;
    ``scores`` maps each entry's name to ``{dataset: Spearman ρ}``; ``kinds`` says "built-in" or "learned".
    """

    datasets: dict[str, PairStates]
    scores: dict[str, dict[str, float]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, pooler: Callable[..., torch.Tensor] | nn.Module, kind: str = "learned") -> dict[str, float]:
        """Score ``pooler`` on every dataset and put it on the board under ``name``."""
        check_str("name", name)
        self.scores[name] = {label: _spearman(pooler, pairs) for label, pairs in self.datasets.items()}
        self.kinds[name] = kind
        return self.scores[name]


def _spearman(pooler, pairs: PairStates) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(pair_cosines(embed_cached(pooler, pairs.states), pairs), pairs.gold.numpy()).statistic)


def prepare_lab(
    model: LoadedModel | str | None = None,
    datasets: Mapping[str, PairStates] | None = None,
    heads: Mapping[str, nn.Module] | None = None,
) -> LabData:
    """Cache the datasets (default: the held-out bundled pairs, plus STS-B test when present) and score
    the six built-in poolings and ``heads`` ``{name: trained head}`` on them."""
    from course_lib.embed import resolve_model

    model = resolve_model(model)
    if datasets is None:
        from course_lib import data

        _, held_out = data.split_pairs(data.load_sts_pairs(), test_fraction=1 / 3, seed=0)
        datasets = {"bundled (held-out)": cache_pairs(held_out, model)}
        if data.has_real_data("stsbenchmark"):
            datasets["STS-B test"] = cache_pairs(data.load_stsb("test"), model, show_progress=False)
    check_type("datasets", datasets, Mapping, "a dict {name: PairStates}")
    lab = LabData(dict(datasets))
    for name, function in POOLERS.items():
        lab.add(name, function, kind="built-in")
    for name, head in (heads or {}).items():
        lab.add(name, head, kind="learned")
    return lab


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    name: str
    kind: str  # "built-in", "learned" or "yours"
    scores: dict[str, float]
    passed_checks: bool = True


def _leaderboard(lab: LabData, entry: str | None, entry_scores: dict[str, float] | None, passed: bool) -> list[LeaderboardRow]:
    names = list(lab.datasets)
    key = names[-1]  # rank by the largest benchmark present (STS-B test when there)
    items = [(name, lab.kinds[name], scores, True) for name, scores in lab.scores.items()]
    if entry is not None and entry_scores is not None:
        items.append((entry, "yours", entry_scores, passed))
    items.sort(key=lambda item: -item[2][key])
    return [LeaderboardRow(i + 1, name, kind, scores, ok) for i, (name, kind, scores, ok) in enumerate(items)]


@dataclass
class LabReport:
    """What the lab found for one function; shows as HTML in Jupyter, as text everywhere else."""

    name: str
    checks: list[CheckResult]
    scores: dict[str, float] | None
    leaderboard: list[LeaderboardRow]
    datasets: list[str]
    problem: str | None = None
    figure: Figure | None = None

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def rank(self) -> int | None:
        return next((row.rank for row in self.leaderboard if row.kind == "yours"), None)

    def _verdict(self) -> str:
        failed = sum(not c.passed for c in self.checks)
        if self.scores is None:
            return f"{self.name} could not be scored: {self.problem}"
        head = f"{self.name} is #{self.rank} of {len(self.leaderboard)}"
        if failed:
            return f"{head}, but it failed {failed} of {len(self.checks)} checks: its score is not trustworthy until they pass."
        return f"{head} and passes all {len(self.checks)} checks."

    def __repr__(self) -> str:
        lines = [f"Pooling lab: {self.name}", ""] + [check.line for check in self.checks] + ["", self._verdict(), ""]
        width = max(len(row.name) for row in self.leaderboard) + 2
        header = f"{'#':>3}  {'pooling':<{width}}{'kind':<10}" + "".join(f"{label:>22}" for label in self.datasets)
        lines.append(header)
        for row in self.leaderboard:
            marker = "→" if row.kind == "yours" else " "
            flag = "  (failed checks)" if not row.passed_checks else ""
            lines.append(f"{marker}{row.rank:>2}  {row.name:<{width}}{row.kind:<10}"
                         + "".join(f"{row.scores[label]:>22.3f}" for label in self.datasets) + flag)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        checks = "".join(check._repr_html_() for check in self.checks)
        head = "<tr><th>#</th><th>pooling</th><th>kind</th>" + "".join(
            f"<th>{html.escape(label)} ρ</th>" for label in self.datasets) + "</tr>"
        body = ""
        for row in self.leaderboard:
            style = " style='font-weight:bold;background:#fff3cd'" if row.kind == "yours" else ""
            flag = " (failed checks)" if not row.passed_checks else ""
            body += (f"<tr{style}><td>{row.rank}</td><td style='text-align:left'>{html.escape(row.name)}{flag}</td>"
                     f"<td>{row.kind}</td>" + "".join(f"<td>{row.scores[label]:.3f}</td>" for label in self.datasets) + "</tr>")
        return (f"<div><b>Pooling lab: {html.escape(self.name)}</b>{checks}"
                f"<p><b>{html.escape(self._verdict())}</b></p><table>{head}{body}</table></div>")


def pooling_lab(
    fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    lab: LabData | None = None,
    name: str | None = None,
    plot: bool = True,
) -> LabReport:
    """Check ``fn(token_embeddings, attention_mask) -> (batch, dim)``, score it and rank it.

    ``lab`` comes from :func:`prepare_lab` (built on first use when None). Never raises for a bug in
    ``fn``: the report says what went wrong. ``report.figure`` is the leaderboard bar chart.
    """
    if not callable(fn):
        raise TypeError(f"fn: expected a function my_pool(token_embeddings, attention_mask), got {describe(fn)}")
    label = check_str("name", name) if name is not None else getattr(fn, "__name__", "your pooling")
    if lab is None:
        lab = prepare_lab()
    check_type("lab", lab, LabData, "LabData (from prepare_lab)")
    checks = check_pooling_function(fn)
    scores: dict[str, float] | None = None
    problem = None
    if checks[0].passed:
        try:
            scores = {}
            for dataset, pairs in lab.datasets.items():
                value = _spearman(lambda x, m: _run(fn, x, m), pairs)
                if not np.isfinite(value):
                    raise _Crash(f"the cosines on {dataset} are not all finite (NaN or inf vectors)")
                scores[dataset] = value
        except _Crash as crash:
            scores, problem = None, str(crash)
        except (ValueError, RuntimeError, IndexError) as error:  # e.g. vectors of different sizes across batches
            scores, problem = None, " ".join(str(error).split())
    else:
        problem = "it does not return a (batch, dim) tensor (see the first check)"
    board = _leaderboard(lab, label if scores else None, scores, all(c.passed for c in checks))
    report = LabReport(label, checks, scores, board, list(lab.datasets), problem)
    if plot:
        from course_lib.learned_pooling_plots import plot_leaderboard

        report.figure = plot_leaderboard(board, list(lab.datasets)[-1])
    return report


def pooling_lab_static(lab: LabData | None = None) -> Figure:
    """The leaderboard of the built-in poolings and learned heads alone, as a closed Figure."""
    from course_lib.learned_pooling_plots import plot_leaderboard

    lab = prepare_lab() if lab is None else check_type("lab", lab, LabData, "LabData (from prepare_lab)")
    return plot_leaderboard(_leaderboard(lab, None, None, True), list(lab.datasets)[-1])
