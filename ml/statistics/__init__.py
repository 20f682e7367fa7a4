"""Statistics: the study's hypotheses H1-H3 tested with scipy, written to ml.hypothesis_tests."""
