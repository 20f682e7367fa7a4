"""One place for the models: names, targets, feature sets, forest settings, the leakage guard,
and the vocabulary of ml.metrics (variants, splits, metric names) that training writes and the
reports, statistics and tests read.

Every feature VALUE is computed in SQL (dbt macros); this module only says which columns each
model may use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from ml.runtime.errors import PipelineError

Task = Literal["regression", "classification"]

# The nine audio features of the study plus key (a pitch class the forest can split on).
AUDIO_FEATURES: tuple[str, ...] = (
    "danceability", "energy", "key", "loudness", "speechiness", "acousticness",
    "instrumentalness", "liveness", "valence", "tempo",
)  # fmt: skip
AUDIO_DERIVED: tuple[str, ...] = ("duration_minutes", "audio_positivity", "audio_complexity")
# What the audio-only baseline sees: the track's sound and length, nothing about its audience.
AUDIO_ONLY: tuple[str, ...] = AUDIO_FEATURES + AUDIO_DERIVED

# Video-title types (from the YouTube title; NULL without a video, read as 0 by the models) and
# track-name markers, computed in SQL (dbt_project/macros/title_features.sql).
TITLE_FLAGS: tuple[str, ...] = (
    "title_official_video", "title_lyric", "title_audio", "title_live", "title_visualizer",
)  # fmt: skip
TRACK_MARKERS: tuple[str, ...] = ("track_remix", "track_featuring", "track_remaster", "track_live")
# Catalog context: distinct tracks of the artist / of the (artist, album) in the warehouse (>= 1);
# artist-level inputs (dropped by the cold-start variant, like the artist and album encodings).
CATALOG_COUNTS: tuple[str, ...] = ("artist_track_count", "album_track_count")
BOOLEAN_FEATURES: frozenset[str] = frozenset(
    {"official_video", "licensed", "has_youtube_video", *TITLE_FLAGS, *TRACK_MARKERS}
)
CATEGORICAL_FEATURES: frozenset[str] = frozenset({"album_type"})
ARTIST_FEATURE = "artist"  # encoded out-of-fold (TargetEncoder cross-fitting), never raw
# Album encoded out-of-fold within its artist (features.AlbumLevelEncoder), never raw: the key is
# (artist, album), an album with no other training track falls back to the artist's encoding.
ALBUM_FEATURE = "album"
# Inputs that say who the artist is or how big its catalog is: none reaches a cold-start model.
ARTIST_LEVEL_FEATURES: frozenset[str] = frozenset({ARTIST_FEATURE, ALBUM_FEATURE, *CATALOG_COUNTS})
# The honest signals added to every model (stream, hit and views): all are known before a video
# is published. The views model may read the title flags: the title is chosen by the uploader
# when the video is published (not an outcome of its audience), and the track-name markers and
# catalog counts are Spotify-side. A track without a video has NULL title flags (read as 0).
SIGNAL_FEATURES: tuple[str, ...] = (*TITLE_FLAGS, *TRACK_MARKERS, *CATALOG_COUNTS, ALBUM_FEATURE)
# Input column carrying an artist-level encoding target during fit only (ArtistLevelEncoder).
ENCODING_TARGET = "artist_encoding_target"

# Columns derived from each target: a model that uses one of them would read its own answer.
_STREAM_DERIVED = {
    "stream": "is the target (streams)",
    "log_streams": "is ln(1 + streams), the target",
    "cross_platform_ratio": "is streams / views (contains the target)",
    "is_hit": "is streams >= the hit threshold (a function of the target)",
    "predicted_log_streams": "is a prediction of the target",
}
_VIEWS_DERIVED = {
    "views": "is the target (views)",
    "log_views": "is ln(1 + views), the target",
    "likes": "is a YouTube count that moves with views (r = 0.97)",
    "comments": "is a YouTube count that moves with views (r = 0.92)",
    "log_likes": "is ln(1 + likes), a YouTube count that moves with views",
    "log_comments": "is ln(1 + comments), a YouTube count that moves with views",
    "youtube_engagement": "is (likes + comments) / views (contains the target)",
    "cross_platform_ratio": "is streams / views (contains the target)",
}
FORBIDDEN_FEATURES: dict[str, dict[str, str]] = {
    "log_streams": _STREAM_DERIVED,
    "is_hit": _STREAM_DERIVED,
    "log_views": _VIEWS_DERIVED,
}


@dataclass(frozen=True)
class ModelSpec:
    """One model: its target, its input columns and the study's forest settings."""

    name: str
    target: str
    task: Task
    features: tuple[str, ...]
    n_estimators: int
    max_depth: int
    class_weight: str | None = None
    # Not set by the study (sklearn defaults then): for the regressors one third of the inputs per
    # split (Breiman's regression default) and leaves of >= 5 tracks give the same held-out R2 as
    # sklearn's all-features / 1-track leaves, fit ~3x faster and make ~4x smaller artifacts.
    max_features: float | str | None = None
    min_samples_leaf: int = 1
    # Encode the artist by the out-of-fold mean of this column (default: the model's own target).
    # Read only while fitting; a prediction never sees it (model_input leaves it empty).
    artist_level_target: str | None = None
    # Rows the model is trained and evaluated on (a SQL-free boolean column of the frame).
    row_filter: str | None = None
    description: str = ""
    # How the forest's quality on rows it did not train on is estimated on the training part:
    # 'cv' = k-fold cross-validation (splits cv_mean / cv_std: the headline stream model, as in
    # the study), 'oob' = its out-of-bag predictions (split 'oob': no extra fit; out_of_bag.py).
    # The audio-only and cold-start variants are always estimated out-of-bag.
    training_estimate: Literal["cv", "oob"] = "oob"

    @property
    def numeric_features(self) -> list[str]:
        return [
            name
            for name in self.features
            if name not in CATEGORICAL_FEATURES and name not in (ARTIST_FEATURE, ALBUM_FEATURE)
        ]

    @property
    def categorical_features(self) -> list[str]:
        return [name for name in self.features if name in CATEGORICAL_FEATURES]

    @property
    def uses_artist(self) -> bool:
        return ARTIST_FEATURE in self.features

    @property
    def uses_album(self) -> bool:
        return ALBUM_FEATURE in self.features

    def audio_only(self) -> ModelSpec:
        """The audio-only baseline: same forest, audio features only."""
        return ModelSpec(
            name=self.name,
            target=self.target,
            task=self.task,
            features=AUDIO_ONLY,
            n_estimators=self.n_estimators,
            max_depth=self.max_depth,
            class_weight=self.class_weight,
            max_features=self.max_features,
            min_samples_leaf=self.min_samples_leaf,
            artist_level_target=self.artist_level_target,
            row_filter=self.row_filter,
        )

    def cold_start(self) -> ModelSpec:
        """The cold-start variant: the same model without any artist-level input (artist and
        album encodings, catalog counts), for tracks of artists the training data has never seen
        (and to measure quality on new artists)."""
        return replace(
            self,
            features=tuple(name for name in self.features if name not in ARTIST_LEVEL_FEATURES),
            artist_level_target=None,
            description=f"{self.description} (cold start: no artist input)",
        )


class LeakageError(PipelineError):
    """A feature is derived from the model's target."""


def check_no_leakage(target: str, features: Iterable[str]) -> None:
    """Refuse (LeakageError) any feature that is derived from `target`."""
    features = list(features)
    forbidden = FORBIDDEN_FEATURES.get(target, {})
    problems = [f"{name} {forbidden[name]}" for name in features if name in forbidden]
    if target in features:
        problems.insert(0, f"{target} is the target itself")
    if problems:
        reason = f"refusing to train a model of {target} on feature(s) derived from the target"
        fix = "remove these columns from the feature list (see ml/modeling/specs.py)"
        raise LeakageError(f"{reason}: {'; '.join(problems)}", step="train", hint=fix)


STREAM_REGRESSOR = ModelSpec(
    name="stream_regressor",
    target="log_streams",
    task="regression",
    features=(
        *AUDIO_FEATURES,
        *AUDIO_DERIVED,
        "log_views",
        "youtube_engagement",
        "log_likes",
        "log_comments",
        "official_video",
        "licensed",
        "has_youtube_video",
        "album_type",
        ARTIST_FEATURE,
        *SIGNAL_FEATURES,
    ),
    n_estimators=200,
    max_depth=15,
    max_features=1 / 3,
    min_samples_leaf=5,
    description="Spotify streams (log) from audio, YouTube engagement, album type and artist",
    training_estimate="cv",
)

HIT_CLASSIFIER = ModelSpec(
    name="hit_classifier",
    target="is_hit",
    task="classification",
    # the study's list first, then the honest additions
    features=(
        *("danceability", "energy", "valence", "tempo", "loudness", "audio_positivity"),
        *("duration_minutes", "youtube_engagement"),
        *("key", "speechiness", "acousticness", "instrumentalness", "liveness"),
        *("audio_complexity", "log_views", "log_likes", "log_comments"),
        *("official_video", "licensed", "has_youtube_video", "album_type", ARTIST_FEATURE),
        *SIGNAL_FEATURES,
    ),
    n_estimators=200,
    max_depth=10,
    # The study's balanced class weights, as scikit-learn applied them when the study was run:
    # uniform bootstrap samples, each weighted by class ('balanced_subsample' computes the weights
    # on the sample). Since scikit-learn 1.9, 'balanced' instead DRAWS the bootstrap samples by
    # class weight, so a hit is almost never out-of-bag and no out-of-bag estimate is possible.
    class_weight="balanced_subsample",
    # an artist's typical stream level says more about a new track than its count of past hits
    artist_level_target="log_streams",
    description="hit (top 10% of streams, marts is_hit) from the same inputs as the regressor",
)

VIEWS_REGRESSOR = ModelSpec(
    name="views_regressor",
    target="log_views",
    task="regression",
    # Spotify-side inputs: no likes/comments/engagement (outcomes of the views), no
    # official_video / licensed (YouTube-side flags of the study's list); the title flags are
    # allowed (SIGNAL_FEATURES: the title is known when the video is published).
    features=(
        *(*AUDIO_FEATURES, *AUDIO_DERIVED, "log_streams", "album_type", ARTIST_FEATURE),
        *SIGNAL_FEATURES,
    ),
    n_estimators=150,
    max_depth=12,
    max_features=1 / 3,
    min_samples_leaf=5,
    # views of a track without a video are "unknown" (zero-filled), not an observed 0
    row_filter="has_youtube_video",
    description="YouTube views (log) of tracks with a video, from Spotify-side data",
)

MODEL_SPECS: tuple[ModelSpec, ...] = (STREAM_REGRESSOR, HIT_CLASSIFIER, VIEWS_REGRESSOR)


def spec_by_name(name: str) -> ModelSpec:
    for spec in MODEL_SPECS:
        if spec.name == name:
            return spec
    raise KeyError(name)


MODEL_NAMES: tuple[str, ...] = tuple(spec.name for spec in MODEL_SPECS)

# ml.metrics vocabulary. Variants: the model, its audio-only baseline, the mean/base-rate baseline.
VARIANTS: tuple[str, ...] = ("model", "audio_only", "mean_baseline")
# Splits: held-out tracks, cross-validation mean and spread, out-of-bag, the training rows.
SPLITS: tuple[str, ...] = ("test", "cv_mean", "cv_std", "oob", "train")
# Splits of ml.predictions (`not_sampled`: modelling rows beyond the training cap).
PREDICTION_SPLITS: tuple[str, ...] = ("train", "test", "not_sampled")
REGRESSION_METRICS: tuple[str, ...] = ("r2", "rmse", "mae", "r2_original_units", "mse")
CLASSIFICATION_METRICS: tuple[str, ...] = (
    "roc_auc", "pr_auc", "f1", "precision", "recall", "accuracy",
)  # fmt: skip
DECISION_THRESHOLD = "decision_threshold"  # a classifier's chosen cut-off (split `train`)

# One name per word of the vocabulary above, for the code that writes ml.metrics / ml.predictions.
VARIANT_MODEL, VARIANT_AUDIO_ONLY, VARIANT_MEAN_BASELINE = VARIANTS
SPLIT_TEST, SPLIT_CV_MEAN, SPLIT_CV_STD, SPLIT_OOB, SPLIT_TRAIN = SPLITS
SPLIT_NOT_SAMPLED = PREDICTION_SPLITS[-1]
# ml.predictions: a track with no label (streams unknown or an outlier), never trained on.
SPLIT_UNLABELLED = "unlabelled"
METRIC_R2, METRIC_RMSE, METRIC_MAE, METRIC_R2_ORIGINAL_UNITS, METRIC_MSE = REGRESSION_METRICS
METRIC_ROC_AUC, METRIC_PR_AUC, METRIC_F1, METRIC_PRECISION, METRIC_RECALL, METRIC_ACCURACY = (
    CLASSIFICATION_METRICS
)


# --- additions the report does not iterate (it reads VARIANTS, SPLITS, CLASSIFICATION_METRICS) --
# The cold-start variant of each model (ModelSpec.cold_start: no artist input); it also serves
# the tracks of artists the training data has not seen.
VARIANT_COLD_START = "cold_start"
# The gradient-boosting challenger of each forest (ml/modeling/challenger.py): same inputs, same
# evaluation; the forest stays the reference ('model').
VARIANT_CHALLENGER = "challenger"
ALL_VARIANTS: tuple[str, ...] = (*VARIANTS, VARIANT_COLD_START, VARIANT_CHALLENGER)
# Which fitted model serves the scores (env ML_SERVING_MODEL): the forest, the challenger, or
# 'auto' = the one with the better lead metric (R2 / ROC-AUC) on unseen rows of the TRAINING part
# (CV or out-of-bag), never chosen on a test split.
SERVING_FOREST, SERVING_CHALLENGER, SERVING_AUTO = "forest", "challenger", "auto"
SERVING_MODELS: tuple[str, ...] = (SERVING_FOREST, SERVING_CHALLENGER, SERVING_AUTO)
# Held-out ARTISTS: a split grouped by artist (GroupShuffleSplit), no test artist in training.
SPLIT_TEST_NEW_ARTISTS = "test_new_artists"
ALL_SPLITS: tuple[str, ...] = (*SPLITS, SPLIT_TEST_NEW_ARTISTS)
# Probability quality of a classifier (every split it is measured on): Brier score, log loss,
# expected calibration error (CALIBRATION_BINS equal-width bins, weighted by count), and the mean
# predicted probability beside the observed hit rate.
CALIBRATION_METRICS: tuple[str, ...] = (
    "brier", "log_loss", "ece", "mean_probability", "observed_rate",
)  # fmt: skip
METRIC_BRIER, METRIC_LOG_LOSS, METRIC_ECE, METRIC_MEAN_PROBABILITY, METRIC_OBSERVED_RATE = (
    CALIBRATION_METRICS
)
CALIBRATION_BINS = 10
# How the out-of-bag / out-of-fold probabilities are mapped to calibrated ones (chosen by
# cross-fitted Brier).
CALIBRATION_METHODS: tuple[str, ...] = ("isotonic", "sigmoid")
# Share of held-out log streams inside the 10th-90th percentile of the trees' predictions.
METRIC_INTERVAL_COVERAGE_80 = "interval_coverage_80"
INTERVAL_QUANTILES: tuple[float, float] = (0.1, 0.9)
# Which model scored a track (batch prediction output, ml.predictions.model_variant).
SERVED_VARIANTS: tuple[str, ...] = (VARIANT_MODEL, VARIANT_COLD_START)


def metric_names(task: Task) -> tuple[str, ...]:
    if task == "classification":
        return (*CLASSIFICATION_METRICS, *CALIBRATION_METRICS)
    return REGRESSION_METRICS
