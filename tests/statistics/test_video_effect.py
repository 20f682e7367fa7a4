"""H2b: the within-artist official-video effect against an independent least-squares fit, a
planted confounded example, and the cluster bootstrap over artists."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.statistics import inference, video_effect
from ml.statistics.hypotheses import H2_THRESHOLD


def frame_of(artist: list[str], official: list[bool], log_streams: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"artist": artist, "official": official, "log_streams": log_streams})


def dummy_lstsq_beta(frame: pd.DataFrame) -> float:
    """The official-flag coefficient of least squares with one dummy per artist (no intercept)."""
    dummies = pd.get_dummies(frame["artist"]).to_numpy(dtype=float)
    design = np.column_stack([frame["official"].to_numpy(dtype=float), dummies])
    coefficients, *_ = np.linalg.lstsq(design, frame["log_streams"].to_numpy(), rcond=None)
    return float(coefficients[0])


def small_frame(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for index in range(12):
        n = int(rng.integers(1, 7))
        official = rng.random(n) < 0.5
        base = rng.normal(10, 3)
        log_streams = base + 0.4 * official + rng.normal(0, 1, n)
        rows += [(f"artist {index}", o, y) for o, y in zip(official, log_streams, strict=True)]
    return pd.DataFrame(rows, columns=["artist", "official", "log_streams"])


def test_within_estimate_equals_least_squares_with_artist_dummies() -> None:
    frame = small_frame()
    sums = video_effect.artist_sums(
        frame["log_streams"].to_numpy(), frame["official"].to_numpy(), frame["artist"].to_numpy()
    )
    fit = video_effect.fit_within_artist(sums)
    assert fit is not None
    # every artist enters the dummy regression; single-kind artists do not move beta
    assert fit.beta == pytest.approx(dummy_lstsq_beta(frame), abs=1e-9)
    assert fit.lift == pytest.approx(np.expm1(fit.beta), abs=1e-12)
    mixed = frame.groupby("artist")["official"].agg(lambda flags: 0 < flags.sum() < len(flags))
    assert fit.artists == int(mixed.sum()) and 0 < fit.artists < 12
    assert fit.tracks == int(frame["artist"].isin(mixed[mixed].index).sum())


def test_missing_artists_are_left_out() -> None:
    frame = small_frame()
    with_unknown = pd.concat(
        [frame, frame_of([None, None], [True, False], [30.0, 0.0])], ignore_index=True
    )
    fits = [
        video_effect.fit_within_artist(
            video_effect.artist_sums(
                f["log_streams"].to_numpy(), f["official"].to_numpy(), f["artist"].to_numpy()
            )
        )
        for f in (frame, with_unknown)
    ]
    assert fits[0] == fits[1]


def planted_confounded(effect: float, *, artists: int = 200, seed: int = 11) -> pd.DataFrame:
    """Big artists have mostly official videos and far more streams; within an artist the video
    changes log streams by exactly `effect` (plus noise)."""
    rng = np.random.default_rng(seed)
    rows = []
    for index in range(artists):
        big = index % 2 == 0
        level = 16.0 if big else 9.0
        flags = [True, True, True, False] if big else [True, False, False, False]
        for flag in flags:
            rows.append((f"a{index}", flag, level + effect * flag + rng.normal(0, 0.3)))
    return pd.DataFrame(rows, columns=["artist", "official", "log_streams"])


def test_planted_zero_effect_with_a_large_raw_lift() -> None:
    frame = planted_confounded(0.0)
    streams = np.expm1(frame["log_streams"])
    official = frame["official"]
    raw = streams[official].mean() / streams[~official].mean() - 1
    assert raw > 1.0  # confounded: official videos belong to big artists
    result = video_effect.evaluate_h2_within_artist(frame, seed=5, threshold=H2_THRESHOLD)
    assert abs(result.estimate) < 0.05
    assert result.ci_low <= 0.0 <= result.ci_high
    assert result.verdict == inference.NOT_SUPPORTED
    assert result.hypothesis == "H2b" and result.p_value is None
    assert result.n == len(frame) and "200 artists" in result.method


def test_cluster_bootstrap_covers_the_planted_effect_and_is_seeded() -> None:
    effect = np.log(1.5)  # +50% within artist
    frame = planted_confounded(effect, seed=12)
    result = video_effect.evaluate_h2_within_artist(frame, seed=5, threshold=H2_THRESHOLD)
    assert result.ci_low <= 0.5 <= result.ci_high
    assert result.estimate == pytest.approx(0.5, abs=0.05)
    assert result.verdict == inference.SUPPORTED
    again = video_effect.evaluate_h2_within_artist(frame, seed=5, threshold=H2_THRESHOLD)
    assert (again.ci_low, again.ci_high) == (result.ci_low, result.ci_high)


def test_cluster_bootstrap_resamples_artists_not_tracks() -> None:
    """Artists whose tracks share a common shock: resampling tracks would treat them as
    independent and give a far narrower interval than resampling whole artists does."""
    rng = np.random.default_rng(21)
    rows = []
    for index in range(60):
        shock = rng.normal(0, 1.0)  # the artist's video effect varies: tracks are not independent
        for track in range(20):
            flag = track % 2 == 0
            rows.append((f"a{index}", flag, 10 + (0.2 + shock) * flag + rng.normal(0, 0.1)))
    frame = pd.DataFrame(rows, columns=["artist", "official", "log_streams"])
    sums = video_effect.artist_sums(
        frame["log_streams"].to_numpy(), frame["official"].to_numpy(), frame["artist"].to_numpy()
    )
    low, high = video_effect.cluster_bootstrap_lift(sums, seed=1, resamples=1000)
    # the same draws over per-track "clusters" (each track its own artist) are much narrower
    per_track = video_effect.ArtistSums(
        sxy=np.repeat(sums.sxy / 20, 20), sxx=np.repeat(sums.sxx / 20, 20), tracks=np.ones(1200)
    )
    track_low, track_high = video_effect.cluster_bootstrap_lift(per_track, seed=1, resamples=1000)
    assert (high - low) > 3 * (track_high - track_low)
    # and the artist-level interval matches the spread of beta across artists
    betas = sums.sxy / sums.sxx
    se = betas.std(ddof=1) / np.sqrt(len(betas))
    beta = sums.sxy.sum() / sums.sxx.sum()
    assert low == pytest.approx(np.expm1(beta - 1.96 * se), abs=0.12)
    assert high == pytest.approx(np.expm1(beta + 1.96 * se), abs=0.12)


def test_too_few_artists_is_not_evaluated() -> None:
    frame = planted_confounded(0.1, artists=10)
    result = video_effect.evaluate_h2_within_artist(frame, seed=1, threshold=H2_THRESHOLD)
    assert result.verdict == inference.NOT_EVALUATED
    assert result.estimate is None and "10 artists" in result.method


def test_cluster_bootstrap_is_the_seeded_sequential_draw(monkeypatch: pytest.MonkeyPatch) -> None:
    """The chunks summed on worker threads give exactly the interval of one sequential loop over
    the same seeded draws, whatever the chunk size."""
    rng = np.random.default_rng(5)
    sums = video_effect.ArtistSums(
        sxy=rng.normal(0.3, 1.0, 97), sxx=rng.uniform(0.5, 2.0, 97), tracks=np.full(97, 4)
    )
    draws = np.random.default_rng(8)
    drawn = draws.integers(0, 97, size=(500, 97))
    betas = sums.sxy[drawn].sum(axis=1) / sums.sxx[drawn].sum(axis=1)
    tail = (1.0 - inference.CONFIDENCE) / 2
    expected = tuple(float(v) for v in np.quantile(np.expm1(betas), [tail, 1.0 - tail]))
    assert video_effect.cluster_bootstrap_lift(sums, seed=8, resamples=500) == expected
    # 97 * 7 values per chunk: 72 chunks, several in flight at once
    monkeypatch.setattr(video_effect, "CLUSTER_CHUNK_VALUES", 97 * 7)
    assert video_effect.cluster_bootstrap_lift(sums, seed=8, resamples=500) == expected
