"""Every function follows its inputs' device (issue 10).

The GPU paths run wherever CUDA exists and skip with a reason where it does not; the device
checks that need no GPU ("meta" tensors, inputs on two devices) run everywhere.
"""

from __future__ import annotations

import pytest
import torch

from course_lib import late_interaction, pooling, similarity
from course_lib.evaluate import closeness, sts_spearman

needs_gpu = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")


def test_meta_and_mixed_device_inputs_give_clear_errors():
    meta = torch.empty(3, 4, device="meta")
    with pytest.raises(ValueError, match="corpus: expected a tensor with data, got a 'meta' tensor"):
        similarity.most_similar(torch.ones(4), meta)
    with pytest.raises(ValueError, match="queries\\[0\\]: expected a tensor with data"):
        late_interaction.maxsim_matrix([meta], [torch.ones(2, 4)])


@needs_gpu
def test_search_pooling_and_maxsim_run_on_the_gpu_and_match_the_cpu():
    generator = torch.Generator().manual_seed(0)
    corpus, queries = torch.randn(50, 16, generator=generator), torch.randn(3, 16, generator=generator)
    indices, scores = similarity.most_similar(queries.cuda(), corpus.cuda(), k=5, chunk_size=7)
    assert indices.device.type == "cuda" and scores.device.type == "cuda"
    cpu_indices, cpu_scores = similarity.most_similar(queries, corpus, k=5, chunk_size=7)
    assert torch.equal(indices.cpu(), cpu_indices)
    torch.testing.assert_close(scores.cpu(), cpu_scores)
    with pytest.raises(ValueError, match="corpus: expected a tensor on query's device"):
        similarity.most_similar(queries.cuda(), corpus)
    hidden, mask = torch.randn(2, 5, 16, generator=generator), torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    for method in pooling.METHODS:
        torch.testing.assert_close(pooling.pool(hidden.cuda(), mask, method).cpu(), pooling.pool(hidden, mask, method))
    docs = [torch.randn(n, 16, generator=generator) for n in (3, 6)]
    on_gpu = late_interaction.maxsim_matrix([q.cuda() for q in docs], [d.cuda() for d in docs])
    torch.testing.assert_close(on_gpu.cpu(), late_interaction.maxsim_matrix(docs, docs))
    assert closeness(queries.cuda(), corpus.cuda()).device.type == "cuda"
    gold = torch.arange(3.0)
    assert sts_spearman(queries.cuda(), corpus[:3].cuda(), gold) == pytest.approx(sts_spearman(queries, corpus[:3], gold))


@needs_gpu
def test_encode_and_fine_tune_follow_a_model_moved_to_the_gpu():
    from course_lib.embed import encode
    from course_lib.models import load_fresh_model

    moved = load_fresh_model()
    moved.model.to("cuda")
    texts = ["A cat sat on the mat.", "Stock markets fell sharply."]
    cpu = encode(texts, load_fresh_model())
    torch.testing.assert_close(encode(texts, moved), cpu, rtol=1e-4, atol=1e-4)
