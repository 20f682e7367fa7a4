"""The ml.metrics names the reports read, and how the reports label them.

Model names, variants, splits and metric names come from ml/modeling/specs.py. The few the
reports name one by one (the held-out split, the audio-only baseline, R² ...) are spelled here
once and checked against specs.py when this module is imported, so a renamed metric fails
loudly instead of leaving an empty report section. Display labels are keyed by those names.
"""

from __future__ import annotations

from ml.modeling.specs import (
    CLASSIFICATION_METRICS,
    DECISION_THRESHOLD,
    HIT_CLASSIFIER,
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
# splits
TEST = _known("test", SPLITS)
CV_MEAN = _known("cv_mean", SPLITS)
CV_STD = _known("cv_std", SPLITS)
TRAIN = _known("train", SPLITS)
# metrics
R2 = _known("r2", REGRESSION_METRICS)
RMSE = _known("rmse", REGRESSION_METRICS)
ROC_AUC = _known("roc_auc", CLASSIFICATION_METRICS)
PR_AUC = _known("pr_auc", CLASSIFICATION_METRICS)
F1 = _known("f1", CLASSIFICATION_METRICS)
PRECISION = _known("precision", CLASSIFICATION_METRICS)
RECALL = _known("recall", CLASSIFICATION_METRICS)
ACCURACY = _known("accuracy", CLASSIFICATION_METRICS)


def report_metrics(spec: ModelSpec) -> tuple[str, ...]:
    """The metrics of a model's table in the report, in ml.metrics order."""
    if spec.task == "classification":
        return (*CLASSIFICATION_METRICS, DECISION_THRESHOLD)
    return REGRESSION_METRICS


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
}
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
}
_unknown = set(METRIC_LABELS) - {*REGRESSION_METRICS, *CLASSIFICATION_METRICS, DECISION_THRESHOLD}
if _unknown:
    raise ValueError(f"METRIC_LABELS names metrics ml/modeling/specs.py does not: {_unknown}")
