"""H1-H3 and H2b (SPEC step 6): statistic, 95% interval, p-value, verdict, in ml.hypothesis_tests.

Reads the populations, writes the table; the intervals and tests are ``ml.statistics.inference``.

Populations come from ``marts.kpi_tracks`` (the KPI marts' population flags), so the SQL KPIs
and these tests measure the same tracks:

* H1 predictability: the stream model's 5-fold CV R2 (latest training run that recorded one in
  ``ml.metrics``); interval mean +- t(0.975, k-1) * cv_std / sqrt(k). ``not yet evaluated``
  before any training run.
* H2 official-video lift: mean streams of official-video tracks / mean streams of tracks whose
  video is not official - 1; seeded percentile bootstrap interval (groups resampled separately;
  above a million tracks the delta-method interval instead) and a one-sided Mann-Whitney U test
  (official streams tend to be larger).
* H2b the official-video effect within artist (``ml.statistics.video_effect``): H2's tracks,
  artist fixed effects on ln(1 + streams), lift exp(beta) - 1, cluster bootstrap over artists;
  the same threshold, no p-value. H2's row stays the study's raw lift.
* H3 cross-platform correlation: Pearson r of raw streams and views; Fisher-z interval and a
  one-sided Fisher-z test of rho <= 0.60. The log-log r is reported in ``method``.

One decision rule for all three: ``supported`` when the whole interval is at or above the
threshold (H2 also needs Mann-Whitney p < 0.05), ``not supported`` when the whole interval is
below it, ``inconclusive`` otherwise, ``not yet evaluated`` when there is nothing to test.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from ml.config import Settings
from ml.modeling.specs import STREAM_REGRESSOR
from ml.runtime.errors import PipelineError
from ml.runtime.warehouse import session
from ml.statistics.inference import (
    ALPHA,
    BOOTSTRAP_METHOD,
    BOOTSTRAP_RESAMPLES,
    INCONCLUSIVE,
    SUPPORTED,
    bootstrap_mean_lift,
    decide,
    delta_mean_lift_interval,
    fold_mean_interval,
    mean_lift,
    pearson_fisher,
    pearson_r,
    t_quantile,
)
from ml.statistics.result import HypothesisResult, interval_result, not_evaluated, result_row
from ml.statistics.video_effect import evaluate_h2_within_artist, load_within_artist_frame

# Above this many tracks (both groups), 2,000 resamples would draw billions of values (minutes
# at 10M rows); the interval of the lift then comes from the delta method for a ratio of two
# independent means, which at that size agrees with the bootstrap (both rest on the CLT).
BOOTSTRAP_MAX_TRACKS = 1_000_000
MIN_OBSERVATIONS = 30  # fewest pairs (H3) or tracks per group (H2) worth testing
CV_FOLDS = 5
STREAM_MODEL = STREAM_REGRESSOR.name

H1_THRESHOLD = 0.70
H2_THRESHOLD = 0.30
H3_THRESHOLD = 0.60

COLUMNS = [
    "hypothesis",
    "statement",
    "metric",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "threshold",
    "verdict",
    "method",
    "n",
    "run_id",
    "computed_at",
]

H1_STATEMENT = (
    "Spotify streams are predictable from audio features plus YouTube engagement: the stream "
    f"model's {CV_FOLDS}-fold cross-validated R2 (target log streams) is at least "
    f"{H1_THRESHOLD:.2f}."
)
H2_STATEMENT = (
    "An official music video goes with at least 30% more streams: mean streams of tracks whose "
    "YouTube video is the official one are at least 1.30 times those whose video is not official."
)
H3_STATEMENT = (
    "Spotify streams and YouTube views move together: the Pearson correlation of streams and "
    f"views is at least {H3_THRESHOLD:.2f}."
)


@dataclass(frozen=True)
class CvScore:
    run_id: str
    mean: float
    std: float | None
    n: int | None


def evaluate_h1(score: CvScore | None, *, folds: int = CV_FOLDS) -> HypothesisResult:
    """H1 from the stream model's CV R2; not yet evaluated when no run recorded one."""
    common = {
        "hypothesis": "H1",
        "statement": H1_STATEMENT,
        "metric": "cv_r2",
        "threshold": H1_THRESHOLD,
    }
    if score is None:
        return not_evaluated(
            common,
            (
                f"no training run has recorded the {STREAM_MODEL} CV R2 in ml.metrics yet: "
                "run `python -m ml train`, then `python -m ml stats`"
            ),
            n=None,
        )
    low = high = None
    interval = "no cv_std recorded: verdict from the estimate alone"
    if score.std is not None and math.isfinite(score.std):
        t = t_quantile(folds)
        low, high = fold_mean_interval(score.mean, score.std, folds)
        interval = (
            f"95% interval = cv_mean +- t(0.975, {folds - 1}) * cv_std / sqrt({folds}) "
            f"(t = {t:.3f}; folds share training data, so it is optimistic)"
        )
    return interval_result(
        common,
        score.mean,
        (low, high),
        method=(
            f"{STREAM_MODEL} {folds}-fold CV R2 (ml.metrics variant 'model', splits cv_mean and "
            f"cv_std) of the latest run recording it; {interval}; supported when the interval "
            f"lower bound >= {H1_THRESHOLD}, not supported when the upper bound < {H1_THRESHOLD}, "
            "else inconclusive"
        ),
        n=score.n,
        run_id=score.run_id,
    )


def evaluate_h2(official: np.ndarray, unofficial: np.ndarray, *, seed: int) -> HypothesisResult:
    """H2: official-video mean stream lift, seeded bootstrap interval, Mann-Whitney U."""
    common = {
        "hypothesis": "H2",
        "statement": H2_STATEMENT,
        "metric": "mean_stream_lift",
        "threshold": H2_THRESHOLD,
    }
    official = np.asarray(official, dtype=float)
    unofficial = np.asarray(unofficial, dtype=float)
    n = len(official) + len(unofficial)
    if min(len(official), len(unofficial)) < MIN_OBSERVATIONS or unofficial.mean() <= 0:
        return not_evaluated(
            common,
            (
                f"too few tracks to test: {len(official)} official and {len(unofficial)} "
                f"unofficial videos with known streams (need {MIN_OBSERVATIONS} each)"
            ),
            n=n,
        )
    estimate = mean_lift(official, unofficial)
    if n <= BOOTSTRAP_MAX_TRACKS:
        low, high = bootstrap_mean_lift(official, unofficial, seed=seed)
        interval = (
            f"95% {BOOTSTRAP_METHOD} bootstrap (scipy.stats.bootstrap), {BOOTSTRAP_RESAMPLES} "
            f"resamples of each group, numpy seed {seed}"
        )
    else:
        low, high = delta_mean_lift_interval(official, unofficial)
        interval = (
            f"95% delta-method interval for a ratio of independent means (more than "
            f"{BOOTSTRAP_MAX_TRACKS:,} tracks: a bootstrap would resample billions of values)"
        )
    p_value = float(scipy_stats.mannwhitneyu(official, unofficial, alternative="greater").pvalue)
    verdict = decide(estimate, low, high, H2_THRESHOLD)
    if verdict == SUPPORTED and p_value >= ALPHA:
        verdict = INCONCLUSIVE
    return result_row(
        common,
        estimate,
        (low, high),
        p_value=p_value,
        verdict=verdict,
        method=(
            "mean streams official / mean streams unofficial - 1 over marts.kpi_tracks where "
            f"in_video_lift ({len(official)} official, {len(unofficial)} unofficial; no-video "
            f"tracks excluded); {interval}; p = one-sided Mann-Whitney U (official > "
            f"unofficial); supported when the interval lower bound >= {H2_THRESHOLD} and "
            f"p < {ALPHA}, not supported when the upper bound < {H2_THRESHOLD}, else inconclusive"
        ),
        n=n,
    )


def evaluate_h3(
    streams: np.ndarray,
    views: np.ndarray,
    *,
    log_streams: np.ndarray | None = None,
    log_views: np.ndarray | None = None,
) -> HypothesisResult:
    """H3: Pearson r of raw streams and views, Fisher-z interval and test against 0.60."""
    common = {
        "hypothesis": "H3",
        "statement": H3_STATEMENT,
        "metric": "pearson_streams_views",
        "threshold": H3_THRESHOLD,
    }
    n = len(streams)
    if n < MIN_OBSERVATIONS:
        return not_evaluated(
            common,
            (
                f"too few tracks to test: {n} with streams > 0 and views > 0 "
                f"(need {MIN_OBSERVATIONS})"
            ),
            n=n,
        )
    result = pearson_fisher(streams, views, rho0=H3_THRESHOLD)
    log_note = ""
    if log_streams is not None and log_views is not None:
        log_r = pearson_r(log_streams, log_views)
        log_note = f"; log-log Pearson r = {log_r:.3f} (reported, not part of the verdict)"
    return result_row(
        common,
        result.r,
        (result.ci_low, result.ci_high),
        p_value=result.p_value,
        verdict=decide(result.r, result.ci_low, result.ci_high, H3_THRESHOLD),
        method=(
            "Pearson r of raw streams and views over marts.kpi_tracks where in_correlation "
            "(kept tracks, streams > 0 and views > 0); 95% Fisher-z interval (assumes "
            "near-normal data: the raw counts are heavy-tailed); p = one-sided Fisher-z test of "
            f"rho <= {H3_THRESHOLD}; supported when the interval lower bound >= {H3_THRESHOLD}, "
            f"not supported when the upper bound < {H3_THRESHOLD}, else inconclusive{log_note}"
        ),
        n=n,
    )


def load_video_groups(connection: duckdb.DuckDBPyConnection) -> tuple[np.ndarray, np.ndarray]:
    """Streams of official and unofficial video tracks (the H2 population)."""
    frame = connection.execute(
        "select video_group, cast(stream as double) as stream from marts.kpi_tracks "
        "where in_video_lift order by row_id"
    ).df()
    official = frame.loc[frame["video_group"] == "official", "stream"].to_numpy(dtype=float)
    unofficial = frame.loc[frame["video_group"] == "unofficial", "stream"].to_numpy(dtype=float)
    return official, unofficial


def load_correlation_pairs(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Streams and views (raw and log) of the H3 population."""
    return connection.execute(
        "select cast(stream as double) as stream, cast(views as double) as views, "
        "log_streams, log_views from marts.kpi_tracks where in_correlation order by row_id"
    ).df()


def load_cv_score(connection: duckdb.DuckDBPyConnection) -> CvScore | None:
    """The stream model's CV R2 from the latest run (by ml.runs.created_at) that recorded it."""
    row = connection.execute(
        """
        with cv as (
            select
                run_id,
                max(value) filter (where split = 'cv_mean') as cv_mean,
                max(value) filter (where split = 'cv_std') as cv_std
            from ml.metrics
            where model_name = ? and variant = 'model' and metric = 'r2'
                and split in ('cv_mean', 'cv_std')
            group by run_id
        )

        select cv.run_id, cv.cv_mean, cv.cv_std, runs.n_train + runs.n_test as n
        from cv
        inner join ml.runs as runs on runs.run_id = cv.run_id and runs.model_name = ?
        where cv.cv_mean is not null
        order by runs.created_at desc, cv.run_id desc
        limit 1
        """,
        [STREAM_MODEL, STREAM_MODEL],
    ).fetchone()
    if row is None:
        return None
    run_id, cv_mean, cv_std, n = row
    return CvScore(
        run_id=str(run_id),
        mean=float(cv_mean),
        std=None if cv_std is None else float(cv_std),
        n=None if n is None else int(n),
    )


def to_frame(results: list[HypothesisResult], computed_at: datetime) -> pd.DataFrame:
    """The rows in ml.hypothesis_tests' column order, nulls as real nulls."""
    frame = pd.DataFrame([asdict(result) for result in results])
    frame["computed_at"] = pd.Timestamp(computed_at)
    for column in ("estimate", "ci_low", "ci_high", "p_value", "threshold"):
        frame[column] = pd.array(frame[column].tolist(), dtype="Float64")
    frame["n"] = pd.array(frame["n"].tolist(), dtype="Int64")
    return frame[COLUMNS]


def write_hypothesis_tests(path: Path, frame: pd.DataFrame) -> None:
    """Replace ml.hypothesis_tests in one transaction (a reader never sees it half-written)."""
    with session(path) as connection:
        connection.execute("begin transaction")
        try:
            connection.execute("delete from ml.hypothesis_tests")
            connection.register("hypothesis_rows", frame)
            connection.execute(
                "insert into ml.hypothesis_tests by name select * from hypothesis_rows"
            )
            connection.execute("commit")
        except duckdb.Error as error:
            connection.execute("rollback")
            raise PipelineError(
                f"cannot write ml.hypothesis_tests in {path}: {error}",
                step="hypothesis tests",
                hint="run `dbt build` (or `make run`) first: it creates the ml tables",
            ) from error


def compute_hypothesis_tests(
    connection: duckdb.DuckDBPyConnection, seed: int
) -> list[HypothesisResult]:
    pairs = load_correlation_pairs(connection)
    official, unofficial = load_video_groups(connection)
    return [
        evaluate_h1(load_cv_score(connection)),
        evaluate_h2(official, unofficial, seed=seed),
        evaluate_h2_within_artist(
            load_within_artist_frame(connection), seed=seed, threshold=H2_THRESHOLD
        ),
        evaluate_h3(
            pairs["stream"].to_numpy(dtype=float),
            pairs["views"].to_numpy(dtype=float),
            log_streams=pairs["log_streams"].to_numpy(dtype=float),
            log_views=pairs["log_views"].to_numpy(dtype=float),
        ),
    ]


def run_hypothesis_tests(settings: Settings) -> pd.DataFrame:
    """Compute H1-H3 from the warehouse, store them in ml.hypothesis_tests, return the table."""
    with session(settings.warehouse_path, read_only=True) as connection:
        try:
            results = compute_hypothesis_tests(connection, settings.seed)
        except duckdb.CatalogException as error:
            raise PipelineError(
                f"the warehouse {settings.warehouse_path} lacks a table the tests read: {error}",
                step="hypothesis tests",
                hint="run `dbt build` (or `make run`) first",
            ) from error
    frame = to_frame(results, datetime.now(timezone.utc).replace(tzinfo=None))
    write_hypothesis_tests(settings.warehouse_path, frame)
    return frame
