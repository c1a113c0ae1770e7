"""Interactive widgets (ipywidgets) for exploring pooling and search, each with a static fallback.

Each widget lives in its own module and is re-exported here.
"""
