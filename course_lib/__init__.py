"""course_lib: the tested helpers behind "The Art of Pooling Embeddings".

Each notebook imports what it needs from one small module:

- ``course_lib.models``      load a transformer encoder offline (default: all-MiniLM-L6-v2)
- ``course_lib.pooling``     token embeddings ``(batch, seq, hidden)`` -> sentence vectors ``(batch, hidden)``
- ``course_lib.embed``       texts -> token embeddings or sentence embeddings
- ``course_lib.similarity``  cosine, dot, Euclidean, Manhattan, Minkowski, Chebyshev, top-k search
- ``course_lib.data``        bundled datasets and the STS Benchmark / SST-2 from ``COURSE_DATA_DIR``
- ``course_lib.evaluate``    Spearman on sentence pairs, ranking agreement between measures
- ``course_lib.plotting``, ``course_lib.widgets``, ``course_lib.exercises``  figures, widgets, checks

Notebook 03: ``baselines`` (word-level featurisers), ``classify`` (cross-validated probes),
``clustering``, ``probes``, ``long_texts``, ``late_interaction`` (MaxSim).
Notebook 04: ``pooler`` (BERT's pooler and CLS head), ``finetune`` (a plain PyTorch training loop).
Notebook 05: ``search`` (query -> ranked table), ``scale`` (cost of exact search).
Notebook 08: ``learned_pooling`` (cached encoder states, an attention-pooling head, a layer mix),
``learned_pooling_plots``, ``widgets.pooling_lab`` (check and rank your own pooling function).

Importing the package itself is cheap: torch and transformers load with the modules that need them.
"""

__version__ = "0.1.0"
