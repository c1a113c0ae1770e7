"""course_lib: the tested helpers behind "The Art of Pooling Embeddings".

Each notebook imports what it needs from one small module:

- ``course_lib.models``      load a transformer encoder offline (default: all-MiniLM-L6-v2), copy it, save it
- ``course_lib.pooling``     token embeddings ``(batch, seq, hidden)`` -> sentence vectors ``(batch, hidden)``
- ``course_lib.embed``       texts -> token embeddings or sentence embeddings (one layer or every layer)
- ``course_lib.similarity``  cosine, dot, Euclidean, Manhattan, Minkowski, Chebyshev, top-k search over VECTORS
- ``course_lib.data``        bundled datasets, the STS Benchmark / SST-2 from ``COURSE_DATA_DIR``, pair splits
- ``course_lib.evaluate``    Spearman on sentence pairs, ranking agreement between measures
- ``course_lib.plotting``    one style and the figure helpers (a package: style, tokens, charts, geometry)
- ``course_lib.widgets``, ``course_lib.exercises``  interactive widgets; exercise checks with feedback

Notebook 03: ``baselines`` (word-level featurisers), ``classify`` (cross-validated probes),
``clustering``, ``probes``, ``long_texts``, ``late_interaction`` (MaxSim).
Notebook 04: ``bert_pooler`` (BERT's pooler head on [CLS]), ``finetune`` (``train_loop``, the one
training loop, and ``fine_tune`` on scored pairs).
Notebook 05: search in three layers, named by what they rank: ``similarity.most_similar`` (vectors),
``search`` (texts: embeds the query, returns hits), ``widgets.search_widget`` (the interactive box);
``scale`` (cost of exact search).
Notebook 06: ``geometry`` (anisotropy, centering, whitening), ``geometry_plots``, ``widgets.threshold``.
Notebook 07: ``compress`` (truncate, PCA, float16, int8, binary, Hamming, rescoring), ``retrieval``
(recall@k, nDCG@k, a retrieval task from sentence pairs), ``compression_eval`` (quality per setting),
``compress_plots``, ``vector_index`` (FAISS against exact search), ``quantized_encoder`` (int8 encoder).
Notebook 08: ``learned_pooling`` (cached encoder states, an attention-pooling head, a layer mix),
``learned_pooling_plots``, ``widgets.pooling_lab`` (check and rank your own pooling function).

Every public function checks its inputs by one rule (``course_lib._checks``): a wrong type raises
TypeError, a wrong value, shape, range or emptiness ValueError, and the message names the caller's
argument, what was expected and what came.

Importing the package itself is cheap: torch and transformers load with the modules that need them.
"""

__version__ = "0.1.0"
