"""Statistics: the study's hypotheses H1-H3 tested with scipy, written to ml.hypothesis_tests.

``inference``: pure functions on arrays (Pearson r with its Fisher-z interval, the mean lift with
its bootstrap or delta-method interval, the t interval of a CV mean, the verdict rule).
``hypotheses``: the populations read from the warehouse, H1-H3 and ``run_hypothesis_tests``.
"""
