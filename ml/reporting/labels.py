"""The ml.metrics names the reports read, and how the reports label them.

Model names, variants, splits and metric names come from ml/modeling/specs.py. The few the
reports name one by one (the held-out split, the audio-only baseline, R² ...) are spelled here
once and checked against specs.py when this module is imported, so a renamed metric fails
loudly instead of leaving an empty report section. Display labels are keyed by those names.
"""

from __future__ import annotations

from ml.modeling.specs import (
    ALL_SPLITS,
    ALL_VARIANTS,
    CALIBRATION_METRICS,
    CLASSIFICATION_METRICS,
    DECISION_THRESHOLD,
    HIT_CLASSIFIER,
    METRIC_ACCURACY,
    METRIC_BRIER,
    METRIC_ECE,
    METRIC_F1,
    METRIC_INTERVAL_COVERAGE_80,
    METRIC_LOG_LOSS,
    METRIC_MEAN_PROBABILITY,
    METRIC_OBSERVED_RATE,
    METRIC_PR_AUC,
    METRIC_PRECISION,
    METRIC_R2,
    METRIC_RECALL,
    METRIC_RMSE,
    METRIC_ROC_AUC,
    REGRESSION_METRICS,
    SPLIT_CV_MEAN,
    SPLIT_CV_STD,
    SPLIT_OOB,
    SPLIT_TEST,
    SPLIT_TEST_NEW_ARTISTS,
    SPLIT_TRAIN,
    STREAM_REGRESSOR,
    VARIANT_AUDIO_ONLY,
    VARIANT_CHALLENGER,
    VARIANT_COLD_START,
    VARIANT_MEAN_BASELINE,
    VARIANT_MODEL,
    VIEWS_REGRESSOR,
    ModelSpec,
)

STREAM = STREAM_REGRESSOR.name
HIT = HIT_CLASSIFIER.name
VIEWS = VIEWS_REGRESSOR.name

# variants
MODEL = VARIANT_MODEL
AUDIO_ONLY = VARIANT_AUDIO_ONLY
MEAN_BASELINE = VARIANT_MEAN_BASELINE
COLD_START = VARIANT_COLD_START  # no artist input: scores new artists
CHALLENGER = VARIANT_CHALLENGER  # gradient boosting on the forest's inputs (challenger.py)
# splits
TEST = SPLIT_TEST
CV_MEAN = SPLIT_CV_MEAN
CV_STD = SPLIT_CV_STD
OOB = SPLIT_OOB  # out-of-bag: the forests other than the stream model
TRAIN = SPLIT_TRAIN
NEW_ARTISTS = SPLIT_TEST_NEW_ARTISTS  # whole artists held out
# metrics
R2 = METRIC_R2
RMSE = METRIC_RMSE
ROC_AUC = METRIC_ROC_AUC
PR_AUC = METRIC_PR_AUC
F1 = METRIC_F1
PRECISION = METRIC_PRECISION
RECALL = METRIC_RECALL
ACCURACY = METRIC_ACCURACY
BRIER = METRIC_BRIER
LOG_LOSS = METRIC_LOG_LOSS
ECE = METRIC_ECE
MEAN_PROBABILITY = METRIC_MEAN_PROBABILITY
OBSERVED_RATE = METRIC_OBSERVED_RATE
INTERVAL_COVERAGE = METRIC_INTERVAL_COVERAGE_80
# The probability-quality figures of the models section (lower is better for all three).
PROBABILITY_QUALITY = (BRIER, LOG_LOSS, ECE)


def report_metrics(spec: ModelSpec) -> tuple[str, ...]:
    """The metrics of a model's table in the report, in ml.metrics order: a classifier's
    ranking and hit-class metrics, its probability quality and its threshold; a regressor's
    errors and the coverage of its 10th-90th percentile interval."""
    if spec.task == "classification":
        return (*CLASSIFICATION_METRICS, *CALIBRATION_METRICS, DECISION_THRESHOLD)
    return (*REGRESSION_METRICS, INTERVAL_COVERAGE)


MODEL_LABELS = {
    STREAM: "Stream model (log streams)",
    HIT: "Hit classifier (top 10% of streams)",
    VIEWS: "YouTube views model (log views, Spotify-side inputs)",
}
LEAD_METRICS = {
    STREAM: (R2, RMSE),
    VIEWS: (R2, RMSE),
    HIT: (ROC_AUC, PR_AUC, F1),
}
VARIANT_LABELS = {
    MODEL: "model",
    AUDIO_ONLY: "audio-only forest",
    MEAN_BASELINE: "mean / base rate",
    COLD_START: "cold-start model (no artist input)",
    CHALLENGER: "gradient-boosting challenger",
}
# How a sentence names the model that scores catalog artists' tracks (ml.runs serving_model)
SERVED_LABELS = {MODEL: "study's forest", CHALLENGER: VARIANT_LABELS[CHALLENGER]}
SPLIT_LABELS = {
    TEST: "held-out tracks of catalog artists",
    NEW_ARTISTS: "tracks of artists never seen in training",
    CV_MEAN: "cross-validation mean",
    CV_STD: "cross-validation spread",
    OOB: "out-of-bag",
    TRAIN: "training rows (in-sample)",
}
# The two qualities of a model, in words a scout reads: (split, variant that scores it, wording)
AUDIENCES = (
    (TEST, MODEL, "For a new track by an artist already in the catalog"),
    (
        NEW_ARTISTS,
        COLD_START,
        "For a track by an artist the warehouse has never seen (scored with the cold-start model)",
    ),
)
METRIC_LABELS = {
    R2: "R²",
    RMSE: "RMSE",
    "mae": "MAE",
    "mse": "MSE",
    "r2_original_units": "R² in streams/views (not logs)",
    ROC_AUC: "ROC-AUC",
    PR_AUC: "PR-AUC",
    F1: "F1 (hit class)",
    PRECISION: "precision (hit class)",
    RECALL: "recall (hit class)",
    ACCURACY: "accuracy",
    DECISION_THRESHOLD: "decision threshold",
    BRIER: "Brier score (lower is better)",
    LOG_LOSS: "log loss (lower is better)",
    ECE: "expected calibration error",
    MEAN_PROBABILITY: "mean calibrated probability",
    OBSERVED_RATE: "observed hit rate",
    INTERVAL_COVERAGE: "80% interval coverage (10th-90th percentile)",
}
_unknown = set(METRIC_LABELS) - {
    *REGRESSION_METRICS,
    *CLASSIFICATION_METRICS,
    *CALIBRATION_METRICS,
    INTERVAL_COVERAGE,
    DECISION_THRESHOLD,
}
_unlabelled = (set(ALL_VARIANTS) - set(VARIANT_LABELS)) | (set(ALL_SPLITS) - set(SPLIT_LABELS))
if _unlabelled:
    raise ValueError(f"labels.py has no label for {_unlabelled} (ml/modeling/specs.py)")
if _unknown:
    raise ValueError(f"METRIC_LABELS names metrics ml/modeling/specs.py does not: {_unknown}")
