"""Cross-platform music performance intelligence: training, scoring, statistics and reports."""
