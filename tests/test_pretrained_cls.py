"""benchmarks/pretrained_cls.py: the offline path says what is missing and exits 0; a tiny random BERT
saved to a folder runs through the whole measuring path."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "pretrained_cls.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("pretrained_cls", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tiny_bert_folder(tmp_path_factory) -> Path:
    from transformers import AutoTokenizer, BertConfig, BertModel

    from course_lib.models import default_model_path

    folder = tmp_path_factory.mktemp("tiny_bert")
    tokenizer = AutoTokenizer.from_pretrained(default_model_path())
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    torch.manual_seed(0)
    BertModel(config).save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


def test_missing_model_offline_exits_0_and_names_it(script, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code = script.main(["--data", "bundled", "--models", "no-such-org/no-such-bert"])
    out = capsys.readouterr().out
    assert code == 0
    assert "no-such-org/no-such-bert" in out and "local Hugging Face cache" in out and "Nothing measured" in out


def test_missing_data_exits_0_and_says_so(script, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    code = script.main(["--models", "no-such-org/no-such-bert"])
    out = capsys.readouterr().out
    assert code == 0 and "STS Benchmark is missing" in out and "COURSE_DATA_DIR" in out


def test_tiny_random_bert_runs_through(script, capsys, tiny_bert_folder, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code = script.main(["--data", "bundled", "--limit", "30", "--models", str(tiny_bert_folder)])
    out = capsys.readouterr().out
    assert code == 0, out
    line = next(line for line in out.splitlines() if line.strip().startswith("cls "))
    values = [float(token) for token in line.split()[1::2]]
    assert len(values) == 4 and all(-1.0 <= v <= 1.0 for v in values)


def test_first_last_avg_is_the_mean_of_the_two_layers(script, tiny_bert_folder):
    from course_lib.models import load_model
    from course_lib.pooling import mean_pool

    loaded = load_model(str(tiny_bert_folder))
    texts = ["Dogs bark.", "The quick brown fox jumps over the lazy dog."]
    views = script.sentence_vectors(texts, loaded)
    batch = loaded.tokenizer(texts, padding=True, return_tensors="pt")
    with torch.inference_mode():
        states = loaded.model(**batch, output_hidden_states=True).hidden_states
    expected = (mean_pool(states[1], batch["attention_mask"]) + mean_pool(states[-1], batch["attention_mask"])) / 2
    assert torch.allclose(views["first_last_avg"], expected, atol=1e-5)
    assert torch.allclose(views["cls"], states[-1][:, 0], atol=1e-5)
