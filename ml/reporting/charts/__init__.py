"""Charts of the HTML report: matplotlib (Agg backend) figures as inline SVG strings.

    svg.py     the palette, the report's matplotlib style and the SVG post-processing
    market.py  what the KPI marts show: hypotheses, streams vs views, official videos, tempo,
               audio segments, the fate of the raw rows
    models.py  what the training run shows: model quality vs baselines, feature importances,
               the music-video priority built on predicted streams

Every chart function takes plain DataFrames / numbers read from the warehouse and returns one
self-contained ``<svg>`` element, or None when its data is missing.
"""

import matplotlib

matplotlib.use("Agg")  # before any submodule imports pyplot: no display needed
