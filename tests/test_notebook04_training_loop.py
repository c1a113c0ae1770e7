"""Notebook 04 writes its fine-tuning loop out in full: it must equal course_lib.finetune.fine_tune.

The cell tagged ``training-loop`` in notebooks/04_cls_pooling_and_fine_tuning.ipynb is executed here on
its own, on a tiny random BERT (real tokenizer), and compared with the library step by step.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import nbformat
import pytest
import torch

from course_lib import data, finetune
from course_lib.models import LoadedModel, default_model_path
from course_lib.pooling import pool

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04_cls_pooling_and_fine_tuning.ipynb"


@pytest.fixture(scope="module")
def notebook_loop() -> dict:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    cells = [c for c in notebook.cells if c.cell_type == "code" and "training-loop" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"expected one training-loop cell in {NOTEBOOK.name}, found {len(cells)}"
    namespace: dict = {
        "copy": copy, "math": math, "torch": torch, "pool": pool, "LoadedModel": LoadedModel,
        "cosine_similarity_loss": finetune.cosine_similarity_loss,
        "freeze_lower_layers": finetune.freeze_lower_layers,
        "length_bucketed_batches": finetune.length_bucketed_batches,
    }
    exec(compile(cells[0].source, f"{NOTEBOOK.name}:training-loop", "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def tiny_model() -> LoadedModel:
    """A 3-layer random BERT with dropout on (so that seeding matters) and the course's tokenizer."""
    from transformers import AutoTokenizer, BertConfig, BertModel

    tokenizer = AutoTokenizer.from_pretrained(default_model_path())
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=3, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    torch.manual_seed(0)
    return LoadedModel(name="tiny-bert", tokenizer=tokenizer, model=BertModel(config).eval(), max_length=64)


@pytest.fixture(scope="module")
def few_pairs() -> data.SentencePairs:
    pairs = data.load_sts_pairs()
    return data.SentencePairs(pairs.sentences1[:22], pairs.sentences2[:22], pairs.scores[:22], None)


SETTINGS = dict(epochs=2, batch_size=4, learning_rate=1e-3, trainable_layers=2, warmup_ratio=0.2, seed=3)


def test_schedule_is_transformers_linear_warmup(notebook_loop):
    from transformers import get_linear_schedule_with_warmup

    for warmup, total in [(4, 48), (1, 5), (3, 3), (10, 37)]:
        reference = get_linear_schedule_with_warmup(
            torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0), warmup, total
        ).lr_lambdas[0]
        ours = notebook_loop["warmup_then_decay"](warmup, total)
        assert [ours(step) for step in range(total + 2)] == pytest.approx([reference(s) for s in range(total + 2)])


def test_no_weight_decay_on_biases_and_layernorm(notebook_loop, tiny_model):
    network = copy.deepcopy(tiny_model.model)
    finetune.freeze_lower_layers(network, 2)
    groups = notebook_loop["parameter_groups"](network, 0.01)
    names = {id(p): name for name, p in network.named_parameters()}
    decayed = [names[id(p)] for p in groups[0]["params"]]
    undecayed = [names[id(p)] for p in groups[1]["params"]]
    assert groups[0]["weight_decay"] == 0.01 and groups[1]["weight_decay"] == 0.0
    assert decayed and all(n.endswith("weight") and "LayerNorm" not in n for n in decayed)
    assert undecayed and all(n.endswith("bias") or "LayerNorm" in n for n in undecayed)
    trainable = {name for name, p in network.named_parameters() if p.requires_grad}
    assert set(decayed) | set(undecayed) == trainable  # frozen layers are in no group


def test_loop_leaves_the_model_alone_and_is_seeded(notebook_loop, tiny_model, few_pairs):
    before = [p.detach().clone() for p in tiny_model.model.parameters()]
    first = notebook_loop["fine_tune_by_hand"](few_pairs, tiny_model, **SETTINGS)
    second = notebook_loop["fine_tune_by_hand"](few_pairs, tiny_model, **SETTINGS)
    assert all(torch.equal(a, p) for a, p in zip(before, tiny_model.model.parameters()))
    assert first[1] == second[1] and len(first[1]) == math.ceil(22 / 4) * 2
    assert len(set(first[1])) > 1


@pytest.mark.parametrize("pooling", ["cls", "mean"])
def test_notebook_loop_equals_fine_tune_step_for_step(notebook_loop, tiny_model, few_pairs, pooling):
    _, losses = notebook_loop["fine_tune_by_hand"](few_pairs, tiny_model, pooling=pooling, **SETTINGS)
    library = finetune.fine_tune(few_pairs, tiny_model, pooling=pooling, **SETTINGS)
    assert losses == pytest.approx(library.losses, rel=1e-6, abs=1e-7)
