"""Cross-platform music performance intelligence, the Python side of the warehouse.

The flow, one subpackage per stage (`python -m ml run` runs them in this order, ml/pipeline.py):

    runtime     warehouse access, run locks, raw-input checks, the dbt runner, progress, run log,
                bounded thread fan-out
    (dbt)       dbt_project/ builds staging -> intermediate -> marts in SQL (features, KPIs)
    modeling    model specs (one place for names, features, metrics), dataset, train, evaluate,
                predict (batch prediction and scoring of new tracks), registry
    statistics  the study's hypotheses H1-H3 (scipy), written back to ml.hypothesis_tests
    (dbt)       post-model marts over the ml.* tables (scores, video priority, claims)
    reporting   executive JSON, the offline HTML report and the console summary
    synthetic   the embedded default dataset (a seeded Spotify_Youtube.csv at any size)

config.py holds the paths and settings shared with dbt (env vars); __main__.py is the CLI.
"""

import pandas as pd

# One string storage whatever else is installed: pandas 3 backs `str` columns with pyarrow when it
# is importable (the mlflow and spark extras install it), and the job's frames then convert
# Arrow <-> numpy in every scikit-learn call: real-size training took ~45 s with pyarrow present
# against ~39 s without it. The values are the same either way.
pd.set_option("mode.string_storage", "python")
