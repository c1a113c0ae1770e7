"""course_lib.finetune (notebook 04): the loss, freezing, the training step, determinism, the loop."""

from __future__ import annotations

import copy
import math
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from course_lib import data
from course_lib.data import SentencePairs
from course_lib.exercises.ex04 import tiny_bert_batch
from course_lib.evaluate import pairs_spearman
from course_lib.finetune import (
    cosine_similarity_loss,
    encoder_layers,
    fine_tune,
    freeze_lower_layers,
    length_bucketed_batches,
    train_loop,
    training_step,
)

from conftest import require_real_data

REPO = Path(__file__).resolve().parents[1]


def checksum(module: torch.nn.Module) -> float:
    with torch.no_grad():
        return float(sum(p.double().sum() for p in module.parameters()))


def small_pairs(n: int = 24) -> SentencePairs:
    pairs = data.load_sts_pairs()
    return SentencePairs(pairs.sentences1[:n], pairs.sentences2[:n], pairs.scores[:n], pairs.kinds[:n])


# --------------------------------------------------------------------------- the loss


def test_loss_equals_sentence_transformers_cosine_similarity_loss(st_model):
    from sentence_transformers.sentence_transformer.losses import CosineSimilarityLoss

    generator = torch.Generator().manual_seed(0)
    u, v = torch.randn(9, 384, generator=generator), torch.randn(9, 384, generator=generator)
    gold = torch.rand(9, generator=generator) * 5
    reference = CosineSimilarityLoss(st_model).compute_loss_from_embeddings([u, v], gold / 5)
    torch.testing.assert_close(cosine_similarity_loss(u, v, gold), reference)


def test_loss_by_hand_zero_at_the_target_and_gradients_flow():
    u = torch.tensor([[1.0, 0.0], [1.0, 0.0], [3.0, 4.0]], requires_grad=True)
    v = torch.tensor([[2.0, 0.0], [0.0, 1.0], [-3.0, -4.0]])
    # cosines 1, 0, -1; targets 1, 0, 0 -> errors 0, 0, 1 -> mean 1/3
    loss = cosine_similarity_loss(u, v, torch.tensor([5.0, 0.0, 0.0]))
    assert loss.item() == pytest.approx(1 / 3)
    loss.backward()
    assert u.grad is not None and u.grad[2].abs().sum() > 0 and u.grad[0].abs().sum() == 0
    assert cosine_similarity_loss(u, v, torch.tensor([5.0, 0.0, 0.0]) * 2, max_score=10).item() == pytest.approx(1 / 3)


def test_loss_bad_inputs_name_the_argument():
    u = torch.randn(3, 4)
    with pytest.raises(ValueError, match="u: expected a tensor of shape"):
        cosine_similarity_loss(u[0], u, torch.zeros(3))
    with pytest.raises(ValueError, match="v: expected the shape of u"):
        cosine_similarity_loss(u, torch.randn(3, 5), torch.zeros(3))
    with pytest.raises(ValueError, match=r"gold: expected a tensor of shape \(3,\)"):
        cosine_similarity_loss(u, u, torch.zeros(4))
    with pytest.raises(ValueError, match="max_score"):
        cosine_similarity_loss(u, u, torch.zeros(3), max_score=0)


# --------------------------------------------------------------------------- freezing and the step


def test_freeze_lower_layers_trains_exactly_the_top_blocks(model):
    network = copy.deepcopy(model.model)
    layers = encoder_layers(network)
    top_two = sum(p.numel() for layer in layers[-2:] for p in layer.parameters())
    assert freeze_lower_layers(network, 2) == top_two
    assert not any(p.requires_grad for p in network.embeddings.parameters())
    assert not any(p.requires_grad for p in layers[3].parameters())
    assert not any(p.requires_grad for p in network.pooler.parameters())
    assert all(p.requires_grad for p in layers[5].parameters())
    assert freeze_lower_layers(network, None) == sum(p.numel() for p in network.parameters())
    assert freeze_lower_layers(network, 6) == sum(p.numel() for layer in layers for p in layer.parameters())


@pytest.mark.parametrize(
    ("value", "error", "text"),
    [(0, ValueError, "trainable_layers: expected an int >= 1"), (7, ValueError, "at most the model's 6 layers"),
     ("2", TypeError, "trainable_layers: expected an int"), (True, TypeError, "trainable_layers")],
)
def test_freeze_bad_input(model, value, error, text):
    with pytest.raises(error, match=text):
        freeze_lower_layers(copy.deepcopy(model.model), value)
    with pytest.raises(TypeError, match="model: expected a BERT-style encoder"):
        freeze_lower_layers(torch.nn.Linear(2, 2), 1)


def test_training_step_lowers_the_loss_and_leaves_frozen_weights_alone():
    model, features_a, features_b, gold = tiny_bert_batch(seed=1)
    freeze_lower_layers(model, 1)
    frozen_before = copy.deepcopy(model.encoder.layer[0].state_dict())
    top_before = copy.deepcopy(model.encoder.layer[1].state_dict())
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    losses = [training_step(model, optimizer, features_a, features_b, gold, pooling="cls") for _ in range(30)]
    assert all(isinstance(x, float) for x in losses)
    assert losses[-1] < 0.5 * losses[0], losses
    for key, value in model.encoder.layer[0].state_dict().items():
        assert torch.equal(value, frozen_before[key]), key
    assert any(not torch.equal(v, top_before[k]) for k, v in model.encoder.layer[1].state_dict().items())


def test_training_step_uses_the_requested_pooling():
    model, features_a, features_b, gold = tiny_bert_batch(seed=2)
    twin = copy.deepcopy(model)
    loss_cls = training_step(model, torch.optim.SGD(model.parameters(), lr=0.1), features_a, features_b, gold, "cls")
    loss_mean = training_step(twin, torch.optim.SGD(twin.parameters(), lr=0.1), features_a, features_b, gold, "mean")
    assert loss_cls != pytest.approx(loss_mean)


# --------------------------------------------------------------------------- batching


def test_length_bucketed_batches_cover_every_pair_once_with_little_padding():
    rng = np.random.default_rng(0)
    lengths = rng.integers(3, 60, size=1000).tolist()
    batches = length_bucketed_batches(lengths, 16, torch.Generator().manual_seed(0))
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(1000)) and all(1 <= len(b) <= 16 for b in batches)
    padded = sum(len(b) * max(lengths[i] for i in b) for b in batches)
    random_batches = [list(range(s, min(s + 16, 1000))) for s in range(0, 1000, 16)]
    padded_random = sum(len(b) * max(lengths[i] for i in b) for b in random_batches)
    assert padded < 0.7 * padded_random  # sorting within buckets removes most of the padding
    again = length_bucketed_batches(lengths, 16, torch.Generator().manual_seed(0))
    other = length_bucketed_batches(lengths, 16, torch.Generator().manual_seed(1))
    assert again == batches and other != batches


# --------------------------------------------------------------------------- train_loop


class TinyNet(torch.nn.Module):
    """Names like BERT's: a LayerNorm and biases that must not decay, weights that must."""

    def __init__(self) -> None:
        super().__init__()
        self.dense = torch.nn.Linear(4, 8)
        self.LayerNorm = torch.nn.LayerNorm(8)
        self.dropout = torch.nn.Dropout(0.3)
        self.head = torch.nn.Linear(8, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.LayerNorm(self.dense(x)))).squeeze(-1)


def tiny_regression(seed: int = 0, n_batches: int = 5):
    generator = torch.Generator().manual_seed(seed)
    xs = torch.randn(n_batches * 4, 4, generator=generator)
    ys = xs.sum(dim=1)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = TinyNet()
    shuffle = torch.Generator().manual_seed(seed)

    def batches(epoch: int) -> list[torch.Tensor]:
        return list(torch.randperm(len(xs), generator=shuffle).split(4))

    def loss_fn(module: torch.nn.Module, indices: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.mse_loss(module(xs[indices]), ys[indices])

    return net, batches, loss_fn


@pytest.mark.parametrize(("epochs", "warmup_ratio"), [(2, 0.1), (3, 0.3), (1, 0.0), (2, 1.0)])
def test_train_loop_schedule_equals_transformers(monkeypatch, epochs, warmup_ratio):
    from transformers import get_linear_schedule_with_warmup

    net, batches, loss_fn = tiny_regression()
    seen: list[float] = []
    real_step = torch.optim.AdamW.step

    def recording_step(self, *args, **kwargs):
        seen.append(self.param_groups[0]["lr"])
        return real_step(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.AdamW, "step", recording_step)
    train_loop(net, batches, loss_fn, epochs=epochs, learning_rate=1e-3, warmup_ratio=warmup_ratio)
    monkeypatch.undo()
    total = 5 * epochs
    warmup = math.ceil(warmup_ratio * total)
    reference_optimizer = torch.optim.AdamW(torch.nn.Linear(1, 1).parameters(), lr=1e-3)
    reference = get_linear_schedule_with_warmup(reference_optimizer, warmup, total)
    expected = []
    for _ in range(total):
        expected.append(reference_optimizer.param_groups[0]["lr"])
        reference_optimizer.step()
        reference.step()
    assert seen == pytest.approx(expected, abs=1e-12)
    if warmup:
        assert seen[0] == 0.0  # step 0 trains with factor 0, as transformers' scheduler


def test_train_loop_parameter_groups_skip_decay_on_biases_and_layernorm(monkeypatch):
    net, batches, loss_fn = tiny_regression()
    net.head.weight.requires_grad_(False)
    groups = []
    real_init = torch.optim.AdamW.__init__

    def recording_init(self, params, *args, **kwargs):
        groups.extend(params)
        real_init(self, params, *args, **kwargs)

    monkeypatch.setattr(torch.optim.AdamW, "__init__", recording_init)
    train_loop(net, batches, loss_fn, weight_decay=0.05)
    by_decay = {group["weight_decay"]: {id(p) for p in group["params"]} for group in groups}
    assert by_decay[0.05] == {id(net.dense.weight)}
    assert by_decay[0.0] == {id(net.dense.bias), id(net.LayerNorm.weight), id(net.LayerNorm.bias), id(net.head.bias)}


def test_train_loop_is_deterministic_under_a_seed_and_leaves_eval_mode():
    state = torch.random.get_rng_state()
    runs = []
    for seed in (0, 0, 1):
        net, batches, loss_fn = tiny_regression()
        losses = train_loop(net, batches, loss_fn, epochs=3, learning_rate=1e-2, seed=seed)
        runs.append((losses, net))
        assert not net.training
    assert torch.equal(torch.random.get_rng_state(), state)
    assert runs[0][0] == runs[1][0] and len(runs[0][0]) == 15
    assert runs[2][0] != runs[0][0]  # the seed drives dropout
    for a, b in zip(runs[0][1].parameters(), runs[1][1].parameters()):
        assert torch.equal(a, b)
    assert np.mean(runs[0][0][-5:]) < np.mean(runs[0][0][:5])


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"module": "net"}, TypeError, "module: expected a torch.nn.Module"),
        ({"batches": [1, 2]}, TypeError, "batches: expected a function"),
        ({"loss_fn": None}, TypeError, "loss_fn: expected a function"),
        ({"epochs": 0}, ValueError, "epochs: expected an int >= 1"),
        ({"learning_rate": 0}, ValueError, "learning_rate"),
        ({"warmup_ratio": 2.0}, ValueError, "warmup_ratio"),
        ({"seed": 1.0}, TypeError, "seed: expected an int"),
        ({"show_progress": "no"}, TypeError, "show_progress: expected True or False"),
        ({"batches": lambda epoch: []}, ValueError, "batches: expected at least one batch"),
        ({"loss_fn": lambda module, batch: 1.0}, TypeError, "loss_fn: expected a 0-d loss tensor"),
    ],
)
def test_train_loop_bad_input_names_the_argument(kwargs, error, text):
    net, batches, loss_fn = tiny_regression()
    net.eval()
    arguments = {"module": net, "batches": batches, "loss_fn": loss_fn, **kwargs}
    with pytest.raises(error, match=text):
        train_loop(**arguments)
    assert not net.training


# --------------------------------------------------------------------------- the loop


@pytest.fixture(scope="module")
def tiny_model(model):
    """A 2-layer, 32-wide BERT with the real tokenizer: fine_tune's whole path in a fraction of the time."""
    from transformers import BertConfig, BertModel

    from course_lib.models import LoadedModel

    config = BertConfig(
        vocab_size=model.tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=512,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        network = BertModel(config).eval()
    return LoadedModel(name="tiny-bert", tokenizer=model.tokenizer, model=network, max_length=128)


def test_fine_tune_is_deterministic_and_never_touches_the_callers_model(tiny_model):
    before = checksum(tiny_model.model)
    state = torch.random.get_rng_state()
    pairs = small_pairs(24)
    first = fine_tune(pairs, tiny_model, batch_size=8, epochs=2, seed=3)
    second = fine_tune(pairs, tiny_model, batch_size=8, epochs=2, seed=3)
    other_seed = fine_tune(pairs, tiny_model, batch_size=8, epochs=2, seed=4)
    assert first.steps == 6 and first.losses == second.losses  # same seed -> same loss curve
    assert other_seed.losses != first.losses
    for a, b in zip(first.model.model.parameters(), second.model.model.parameters()):
        assert torch.equal(a, b)
    assert checksum(tiny_model.model) == before and not tiny_model.model.training
    assert all(p.requires_grad for p in tiny_model.model.parameters())
    assert torch.equal(torch.random.get_rng_state(), state)  # the caller's random state is untouched
    assert first.model.model is not tiny_model.model and not first.model.model.training
    assert all(p.requires_grad for p in first.model.model.parameters())
    assert checksum(first.model.model) != before
    assert first.trainable_parameters < first.total_parameters
    assert "steps=6" in repr(first)


def test_fine_tune_equals_a_plain_loop_step_for_step(tiny_model):
    """fine_tune's documented recipe, written out: the reference for notebook 04's visible loop."""
    from course_lib.finetune import embed_batch, length_bucketed_batches, optimizer_groups, warmup_steps_for, linear_warmup_factor
    from course_lib.models import load_fresh_model

    pairs, batch_size, seed = small_pairs(20), 8, 5
    result = fine_tune(pairs, tiny_model, batch_size=batch_size, epochs=2, seed=seed, trainable_layers=1)

    copy_ = load_fresh_model(tiny_model)
    network, tokenizer = copy_.model, copy_.tokenizer
    freeze_lower_layers(network, 1)
    tokens_a = tokenizer(pairs.sentences1, truncation=True, max_length=copy_.max_length)
    tokens_b = tokenizer(pairs.sentences2, truncation=True, max_length=copy_.max_length)
    lengths = [max(len(a), len(b)) for a, b in zip(tokens_a["input_ids"], tokens_b["input_ids"])]
    gold = torch.tensor(pairs.scores, dtype=torch.float32)
    generator = torch.Generator().manual_seed(seed)
    epochs_of_batches = [length_bucketed_batches(lengths, batch_size, generator) for _ in range(2)]
    total = sum(len(batches) for batches in epochs_of_batches)
    warmup = warmup_steps_for(total, 0.1)
    losses = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        optimizer = torch.optim.AdamW(optimizer_groups(network, 0.01), lr=2e-4)
        network.train()
        step = 0
        for batches in epochs_of_batches:
            for indices in batches:
                for group in optimizer.param_groups:
                    group["lr"] = 2e-4 * linear_warmup_factor(step, total, warmup)
                optimizer.zero_grad()
                pad = lambda tokens: tokenizer.pad({k: [tokens[k][i] for i in indices] for k in tokens}, return_tensors="pt")
                u, v = embed_batch(network, pad(tokens_a)), embed_batch(network, pad(tokens_b))
                loss = cosine_similarity_loss(u, v, gold[indices])
                loss.backward()
                torch.nn.utils.clip_grad_norm_([p for p in network.parameters() if p.requires_grad], 1.0)
                optimizer.step()
                losses.append(loss.item())
                step += 1
    assert losses == pytest.approx(result.losses, abs=1e-6)
    for a, b in zip(network.parameters(), result.model.model.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
@pytest.mark.real_data
def test_short_run_on_stsb_improves_cls(model):
    """800 random STS-B train pairs (50 steps, seconds) lift CLS on 500 random dev pairs (+0.024 measured)."""
    require_real_data("stsbenchmark")
    rng = np.random.default_rng(0)
    train, dev = data.load_stsb("train"), data.load_stsb("dev")

    def subset(pairs: SentencePairs, indices) -> SentencePairs:
        return SentencePairs([pairs.sentences1[i] for i in indices], [pairs.sentences2[i] for i in indices],
                             pairs.scores[indices])

    train_subset = subset(train, rng.permutation(len(train.scores))[:800])
    held_out = subset(dev, rng.permutation(len(dev.scores))[:500])
    before = pairs_spearman(held_out, model, "cls")
    after = pairs_spearman(held_out, fine_tune(train_subset, model, seed=0).model, "cls")
    assert after > before + 0.01, (before, after)


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"pairs": "some text"}, TypeError, "pairs: expected SentencePairs"),
        ({"pairs": (["a", "b"], ["c"], [1.0, 2.0])}, ValueError, "pairs: expected as many scores"),
        ({"pairs": (["a"], ["b"], [7.0])}, ValueError, "pairs: expected gold scores between 0 and max_score=5"),
        ({"pairs": ([], [], [])}, ValueError, "pairs: expected at least one pair"),
        ({"pooling": "average"}, ValueError, "average"),
        ({"epochs": 0}, ValueError, "epochs: expected an int >= 1, got 0"),
        ({"batch_size": 2.5}, TypeError, "batch_size: expected an int"),
        ({"learning_rate": -1e-4}, ValueError, "learning_rate: expected a number > 0"),
        ({"learning_rate": "fast"}, TypeError, "learning_rate: expected a number > 0.0, got 'fast'"),
        ({"warmup_ratio": 1.5}, ValueError, "warmup_ratio"),
        ({"trainable_layers": 9}, ValueError, "trainable_layers"),
        ({"seed": -1}, ValueError, "seed"),
        ({"model": 3}, TypeError, "model: expected a LoadedModel"),
        ({"show_progress": "yes"}, TypeError, "show_progress"),
    ],
)
def test_fine_tune_bad_input_names_the_argument(kwargs, error, text):
    arguments = {"pairs": small_pairs(4), **kwargs}
    with pytest.raises(error, match=text):
        fine_tune(**arguments)


def test_benchmark_script_explains_missing_data(monkeypatch, capsys):
    import importlib.util

    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    spec = importlib.util.spec_from_file_location("cls_finetune", REPO / "benchmarks" / "cls_finetune.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main([]) == 2
    assert "COURSE_DATA_DIR" in capsys.readouterr().err
    assert os.environ.get("COURSE_DATA_DIR") is None
