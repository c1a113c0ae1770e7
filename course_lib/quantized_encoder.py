"""Compress the encoder too: dynamic int8 quantisation of its linear layers (notebook 07).

PyTorch's dynamic quantisation stores each ``nn.Linear`` weight as int8 (with one scale per output
row when ``per_channel``) and quantises the activations on the fly, batch by batch; the matrix
products then run in int8 on the CPU. Nothing is trained or calibrated. The attention softmax,
LayerNorm and GELU stay in float32. CPU only: the quantised kernels (FBGEMM/x86) have no GPU version.
"""

from __future__ import annotations

import copy
import dataclasses
import warnings

import torch

from course_lib._checks import check_bool, describe
from course_lib.embed import resolve_model
from course_lib.models import LoadedModel


def quantize_encoder(model: LoadedModel | str | None = None, per_channel: bool = True) -> LoadedModel:
    """A copy of ``model`` whose linear layers run in int8 (the original is left unchanged).

    ``per_channel=True`` gives every output row of a weight its own scale, which keeps the
    sentence vectors much closer to float32's than one scale per matrix (measured in notebook 07).
    Use the result wherever the course takes a ``model``, e.g. ``encode(texts, quantize_encoder())``.
    """
    loaded = resolve_model(model)
    per_channel = check_bool("per_channel", per_channel)
    if loaded.device.type != "cpu":
        raise ValueError(f"model: expected a model on the CPU (int8 dynamic quantisation is CPU-only), got {loaded.device}")
    from torch.ao.quantization import default_dynamic_qconfig, per_channel_dynamic_qconfig, quantize_dynamic

    qconfig = per_channel_dynamic_qconfig if per_channel else default_dynamic_qconfig
    with warnings.catch_warnings():
        # torch.ao.quantization announces its move to torchao; the dynamic API still works and is
        # what runs fastest on a CPU with the packages this course pins.
        warnings.simplefilter("ignore")
        quantized = quantize_dynamic(copy.deepcopy(loaded.model), {torch.nn.Linear: qconfig}, dtype=torch.qint8)
    return dataclasses.replace(loaded, name=f"{loaded.name} (int8 dynamic)", model=quantized)


def count_quantized_linears(model: LoadedModel) -> tuple[int, int]:
    """``(int8 linear layers, float linear layers)`` in ``model``: a check that quantisation happened."""
    if not isinstance(model, LoadedModel):
        raise TypeError(f"model: expected a LoadedModel, got {describe(model)}")
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    modules = list(model.model.modules())
    return sum(isinstance(m, DynamicLinear) for m in modules), sum(type(m) is torch.nn.Linear for m in modules)
