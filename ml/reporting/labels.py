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
    METRIC_INTERVAL_COVERAGE_80,
    REGRESSION_METRICS,
    SPLITS,
    STREAM_REGRESSOR,
    VARIANTS,
    VIEWS_REGRESSOR,
    ModelSpec,
)


def _known(name: str, vocabulary: tuple[str, ...]) -> str:
    if name not in vocabulary:
        raise ValueError(f"{name!r} is not one of {vocabulary} (ml/modeling/specs.py)")
    return name


STREAM = STREAM_REGRESSOR.name
HIT = HIT_CLASSIFIER.name
VIEWS = VIEWS_REGRESSOR.name

# variants
MODEL = _known("model", VARIANTS)
AUDIO_ONLY = _known("audio_only", VARIANTS)
MEAN_BASELINE = _known("mean_baseline", VARIANTS)
COLD_START = _known("cold_start", ALL_VARIANTS)  # no artist input: scores new artists
# splits
TEST = _known("test", SPLITS)
CV_MEAN = _known("cv_mean", SPLITS)
CV_STD = _known("cv_std", SPLITS)
TRAIN = _known("train", SPLITS)
NEW_ARTISTS = _known("test_new_artists", ALL_SPLITS)  # whole artists held out
# metrics
R2 = _known("r2", REGRESSION_METRICS)
RMSE = _known("rmse", REGRESSION_METRICS)
ROC_AUC = _known("roc_auc", CLASSIFICATION_METRICS)
PR_AUC = _known("pr_auc", CLASSIFICATION_METRICS)
F1 = _known("f1", CLASSIFICATION_METRICS)
PRECISION = _known("precision", CLASSIFICATION_METRICS)
RECALL = _known("recall", CLASSIFICATION_METRICS)
ACCURACY = _known("accuracy", CLASSIFICATION_METRICS)
BRIER = _known("brier", CALIBRATION_METRICS)
LOG_LOSS = _known("log_loss", CALIBRATION_METRICS)
ECE = _known("ece", CALIBRATION_METRICS)
MEAN_PROBABILITY = _known("mean_probability", CALIBRATION_METRICS)
OBSERVED_RATE = _known("observed_rate", CALIBRATION_METRICS)
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
}
SPLIT_LABELS = {
    TEST: "held-out tracks of catalog artists",
    NEW_ARTISTS: "tracks of artists never seen in training",
    CV_MEAN: "cross-validation mean",
    CV_STD: "cross-validation spread",
    "oob": "out-of-bag",
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
