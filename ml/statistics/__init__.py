"""Statistics: the study's hypotheses H1-H3 (and H2b) tested with scipy, in ml.hypothesis_tests.

``inference``: pure functions on arrays (Pearson r with its Fisher-z interval, the mean lift with
its bootstrap or delta-method interval, the t interval of a CV mean, the verdict rule).
``result``: the row type of ml.hypothesis_tests.
``video_effect``: H2b, the official-video effect within artist (fixed effects, cluster bootstrap).
``hypotheses``: the populations read from the warehouse, H1-H3, H2b and ``run_hypothesis_tests``.
"""
