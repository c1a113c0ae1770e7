"""Interactive widgets (ipywidgets) for exploring pooling and search, each with a static fallback.

Each widget lives in its own module and is re-exported here.
"""
from course_lib.widgets.search import SearchWidget, search_widget  # noqa: F401  (notebook 05)
from course_lib.widgets.pooling_explorer import (  # noqa: F401  (notebook 02)
    PoolingExplorer,
    pooling_explorer,
    pooling_explorer_static,
)
from course_lib.widgets.threshold import (  # noqa: F401  (notebook 06)
    ThresholdWidget,
    threshold_static,
    threshold_widget,
)
from course_lib.widgets.compression import (  # noqa: F401  (notebook 07)
    CompressionWidget,
    compression_static,
    compression_widget,
)
from course_lib.widgets.pooling_lab import (  # noqa: F401  (notebook 08)
    pooling_lab,
    pooling_lab_static,
    prepare_lab,
)
