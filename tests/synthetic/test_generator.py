"""Tests of the synthetic Spotify_Youtube.csv generator (the ml/synthetic package).

The profile checks generate the default size (20,718 rows, seed 42) once and compare it with the
reference profile of the real Kaggle file (shared/reference/kaggle_dataset.md in the product's
shared docs). Every tolerance below is a named constant, set from the seed-to-seed spread at this
size (tracks of one artist are alike, so sampling noise is larger than the row count suggests);
the profile tests pass for seeds 0..199, so they catch calibration regressions without being
flaky.
"""

from __future__ import annotations

import csv
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ml.runtime.raw_input import REQUIRED_COLUMNS  # noqa: E402
from ml.synthetic import HEADER, generate, main  # noqa: E402

ROWS = 20_718
SEED = 42

# --- reference profile (real file) and tolerances ------------------------------------------
QUANTILES = (0.05, 0.25, 0.50, 0.75, 0.95)
# column -> (reference quantiles, tolerance per quantile); log10 columns in dex (0.1 = x1.26).
REFERENCE_QUANTILES: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "log10_Stream": (
        tuple(np.log10([2.6e6, 17.7e6, 49.7e6, 138e6, 578e6])),
        (0.20, 0.10, 0.08, 0.08, 0.10),
    ),
    "log10_Views": (  # a little looser: the official-video share varies by artist
        tuple(np.log10([47e3, 1.8e6, 14.5e6, 70e6, 433e6])),
        (0.20, 0.15, 0.12, 0.10, 0.10),
    ),
    "Duration_ms": ((134e3, 180e3, 213e3, 252e3, 336e3), (8e3, 4e3, 4e3, 5e3, 15e3)),
    "Tempo": ((78, 97, 120, 140, 175), (3.5, 3.0, 3.0, 3.0, 4.0)),
    "Loudness": ((-15.9, -8.9, -6.5, -4.9, -3.2), (1.5, 0.4, 0.3, 0.25, 0.2)),
}
# audio feature -> (mean, std) of the real file
REFERENCE_AUDIO = {
    "Danceability": (0.620, 0.165),
    "Energy": (0.635, 0.214),
    "Valence": (0.530, 0.245),
    "Speechiness": (0.096, 0.112),
    "Acousticness": (0.292, 0.286),
    "Instrumentalness": (0.056, 0.193),
    "Liveness": (0.194, 0.169),
}
AUDIO_MEAN_TOL = 0.015
AUDIO_STD_TOL = 0.02
# Pearson correlations of log10 counts (rows where both are present and > 0), with tolerances.
REFERENCE_LOG_CORR = {
    ("Stream", "Views"): (0.59, 0.08),
    ("Stream", "Likes"): (0.59, 0.08),
    ("Stream", "Comments"): (0.55, 0.08),
    ("Views", "Likes"): (0.97, 0.02),
    ("Views", "Comments"): (0.92, 0.03),
    ("Likes", "Comments"): (0.95, 0.02),
}
# Raw (not log) Pearson Stream-Views over rows with both present: 0.60 in the real file. It rests
# on the few biggest hits, so it is noisier than the log correlation: over seeds 0..399 it has
# mean 0.594, sd 0.014, range 0.54-0.64. +-0.08 is > 5 sd from the seed mean, and a Gaussian
# copula with the right log correlation fails it (0.40-0.51 over seeds 0..199).
RAW_STREAM_VIEWS_CORR, RAW_STREAM_VIEWS_TOL = 0.60, 0.08
# Official-video lift of Stream (official / not official - 1, over rows with a video and streams,
# and over distinct Uri, close to the hypothesis test's population): mean 151M vs 89M (+70%) and
# median 54M vs 38M (+42%) in the real file. Only ~4,500 rows have no official video and they
# cluster by artist, so the lifts are noisy: over seeds 0..399 the mean lift has mean 0.69, sd
# 0.065, range 0.53-0.89; the median lift mean 0.44, sd 0.064, range 0.26-0.69 (right-skewed).
# Mean: +-0.25 (~4 sd), i.e. [+45%, +95%], which the Gaussian copula fails (mean lift 0.15-0.45
# over seeds 0..199). Median: +-0.30 (~4.5 sd, for the skew), i.e. [+12%, +72%].
OFFICIAL_STREAM_LIFT = {"mean": (0.70, 0.25), "median": (0.42, 0.30)}
REFERENCE_AUDIO_CORR = {
    ("Energy", "Loudness"): 0.74,
    ("Energy", "Acousticness"): -0.66,
    ("Loudness", "Instrumentalness"): -0.55,
    ("Danceability", "Valence"): 0.47,
}
AUDIO_CORR_TOL = 0.06
# audio feature vs log10 Stream: weak (|r| <= 0.16 in the real file)
REFERENCE_AUDIO_STREAM_CORR = {
    "Loudness": 0.16,
    "Instrumentalness": -0.13,
    "Speechiness": -0.12,
    "Acousticness": -0.12,
}
AUDIO_STREAM_CORR_TOL = 0.07
AUDIO_STREAM_CORR_MAX = 0.25  # no audio feature may correlate more strongly than this
REFERENCE_MISSING = {"Url_youtube": 0.023, "Likes": 0.027, "Comments": 0.028, "Stream": 0.028}
MISSING_TOL = 0.006  # absolute
REPEATED_URI_SHARE, REPEATED_URI_TOL = 1_856 / 20_718, 0.012
REPEATED_VIDEO_SHARE, REPEATED_VIDEO_TOL = 2_094 / 20_718, 0.015
OFFICIAL_SHARE, LICENSED_SHARE, FLAG_SHARE_TOL = 0.776, 0.698, 0.025
ALBUM_TYPE_SHARE = {"album": 0.720, "single": 0.242, "compilation": 0.038}
ALBUM_TYPE_TOL = 0.015
# median Stream by album type, relative tolerance (compilations are only ~800 rows here)
MEDIAN_STREAM_BY_TYPE = {"album": (57e6, 0.15), "compilation": (43e6, 0.30), "single": (33e6, 0.15)}
MEDIAN_VIEWS_OFFICIAL = {True: 23e6, False: 1.8e6}
MEDIAN_VIEWS_OFFICIAL_TOL = 0.40  # relative; the no-official-video group is small and skewed
INTRA_ARTIST_CORR = (0.45, 0.68)  # ICC(1) of log10 Stream across artists
TRACKS_PER_ARTIST = (9.85, 10.0)  # mean; the real file has 20,718 rows / 2,079 artists = 9.97
COMMENTS_ZERO_SHARE, COMMENTS_ZERO_TOL = 499 / 20_718, 0.008
LIKES_ZERO_MAX = 60  # the real file has 18
TEMPO_ZERO_RANGE = (1, 50)  # the real file has 17
AUDIO_MISSING_MAX = 10  # the real file has 2 rows without audio features


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synthetic") / "Spotify_Youtube.csv"
    assert generate(ROWS, SEED, path) == ROWS
    return path


@pytest.fixture(scope="module")
def df(csv_path: Path) -> pd.DataFrame:
    return pd.read_csv(csv_path)


@pytest.fixture(scope="module")
def raw_rows(csv_path: Path) -> list[list[str]]:
    with csv_path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _log10(series: pd.Series) -> pd.Series:
    return np.log10(series.where(series > 0))


# --- layout ----------------------------------------------------------------------------------


def test_header_and_row_count(raw_rows: list[list[str]]) -> None:
    assert raw_rows[0] == HEADER == list(REQUIRED_COLUMNS)  # the raw-input check's layout
    assert len(HEADER) == 28 and HEADER[0] == ""
    assert len(raw_rows) - 1 == ROWS
    assert all(len(row) == 28 for row in raw_rows)
    assert [int(row[0]) for row in raw_rows[1:]] == list(range(ROWS))


def test_pandas_and_duckdb_agree(csv_path: Path, df: pd.DataFrame) -> None:
    assert len(df) == ROWS
    assert df.columns[0] == "Unnamed: 0"
    source = f"read_csv('{csv_path}', all_varchar = true, header = true)"
    assert duckdb.sql(f"select * from {source}").columns == ["column00", *HEADER[1:]]
    [(count, descriptions_with_newline)] = duckdb.sql(
        f"select count(*), count(*) filter (where contains(Description, chr(10))) from {source}"
    ).fetchall()
    assert count == ROWS
    assert descriptions_with_newline > ROWS // 4  # multi-line quoted fields parse


def test_value_formats(raw_rows: list[list[str]]) -> None:
    data = raw_rows[1:]
    col = {name: i for i, name in enumerate(HEADER)}
    patterns = {
        "Url_spotify": r"https://open\.spotify\.com/artist/[0-9A-Za-z]{22}",
        "Uri": r"spotify:track:[0-9A-Za-z]{22}",
        "Url_youtube": r"(https://www\.youtube\.com/watch\?v=[0-9A-Za-z_-]{11})?",
        "Key": r"((\d|1[01])\.0)?",
        "Duration_ms": r"\d+\.0",
        "Views": r"(\d+\.0)?",
        "Likes": r"(\d+\.0)?",
        "Comments": r"(\d+\.0)?",
        "Stream": r"(\d+\.0)?",
        "Licensed": r"(True|False)?",
        "official_video": r"(True|False)?",
        "Album_type": r"album|single|compilation",
    }
    for name, pattern in patterns.items():
        regex = re.compile(pattern)
        bad = [row[col[name]] for row in data if not regex.fullmatch(row[col[name]])]
        assert not bad, f"{name}: {bad[:5]}"
    keys = {row[col["Key"]] for row in data} - {""}
    assert keys == {f"{k}.0" for k in range(12)}


def test_text_has_csv_traps(df: pd.DataFrame) -> None:
    names = pd.concat([df.Track, df.Album, df.Title.dropna()])
    assert names.str.contains(",").any()
    assert names.str.contains('"').any()
    assert names.map(lambda s: not s.isascii()).mean() > 0.02
    assert names.str.contains(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]").any()  # CJK
    assert df.Artist.map(lambda s: not s.isascii()).any()
    descriptions = df.Description.dropna()
    assert descriptions.str.contains("\n").mean() > 0.5
    assert descriptions.str.contains("https://").any()
    assert descriptions.str.contains('"').any() and descriptions.str.contains(",").any()
    assert descriptions.map(lambda s: any(ord(ch) > 0xFFFF for ch in s)).any()  # emoji
    with_video = df[df.Url_youtube.notna()]
    assert (with_video.Channel == with_video.Artist).any()
    assert with_video.Channel.str.endswith("VEVO").any()
    assert (with_video.Title.str.contains(" - ") & with_video.Title.str.contains("Official")).any()


# --- determinism -----------------------------------------------------------------------------


def test_deterministic_and_seeded(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    generate(3_000, 7, first)
    generate(3_000, 7, second)
    generate(3_000, 8, other)
    assert _sha256(first) == _sha256(second)
    assert _sha256(first) != _sha256(other)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv", "c.csv"]  # no temp


def test_cli_and_script(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "dir" / "data.csv"
    assert main(["--rows", "250", "--seed", "3", "--out", str(out), "--quiet"]) == 0
    script_out = tmp_path / "script.csv"
    script = ROOT / "scripts" / "generate_data.py"
    result = subprocess.run(
        [sys.executable, str(script), "--rows", "250", "--seed", "3", "--out", str(script_out)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "250" in result.stderr  # progress / summary on stderr
    assert _sha256(out) == _sha256(script_out)
    assert len(pd.read_csv(out)) == 250


def test_empty_file(tmp_path: Path) -> None:
    out = tmp_path / "empty.csv"
    assert generate(0, 1, out) == 0
    assert out.read_text(encoding="utf-8") == ",".join(HEADER) + "\n"


# --- profile ---------------------------------------------------------------------------------


def test_quantiles(df: pd.DataFrame) -> None:
    columns = {
        "log10_Stream": _log10(df.Stream),
        "log10_Views": _log10(df.Views),
        "Duration_ms": df.Duration_ms,
        "Tempo": df.Tempo,
        "Loudness": df.Loudness,
    }
    for name, (reference, tolerance) in REFERENCE_QUANTILES.items():
        measured = columns[name].dropna().quantile(QUANTILES).to_numpy()
        for q, got, want, tol in zip(QUANTILES, measured, reference, tolerance, strict=True):
            assert abs(got - want) <= tol, f"{name} q{q:.0%}: {got:.4g} vs {want:.4g} +- {tol}"


def test_audio_marginals(df: pd.DataFrame) -> None:
    for name, (mean, std) in REFERENCE_AUDIO.items():
        values = df[name].dropna()
        assert values.between(0, 1).all(), name
        assert abs(values.mean() - mean) <= AUDIO_MEAN_TOL, f"{name} mean {values.mean():.3f}"
        assert abs(values.std() - std) <= AUDIO_STD_TOL, f"{name} std {values.std():.3f}"
    instrumental = df.Instrumentalness.dropna()
    assert instrumental.median() == 0.0  # zero-inflated
    assert 0 < instrumental.quantile(0.75) <= 0.002
    assert 0.35 <= instrumental.quantile(0.95) <= 0.8
    assert set(df.Key.dropna().unique()) == set(map(float, range(12)))
    assert TEMPO_ZERO_RANGE[0] <= (df.Tempo == 0).sum() <= TEMPO_ZERO_RANGE[1]
    assert df.Duration_ms.notna().all() and df.Duration_ms.min() >= 30_000


def test_audio_missing_rows(df: pd.DataFrame) -> None:
    audio = df.loc[:, "Danceability":"Tempo"]
    missing = audio.isna()
    assert (missing.any(axis=1) == missing.all(axis=1)).all()  # all audio or none
    assert missing.all(axis=1).sum() <= AUDIO_MISSING_MAX


def test_correlations(df: pd.DataFrame) -> None:
    logs = {name: _log10(df[name]) for name in ("Stream", "Views", "Likes", "Comments")}
    for (a, b), (want, tol) in REFERENCE_LOG_CORR.items():
        got = logs[a].corr(logs[b])
        assert abs(got - want) <= tol, f"log10 {a}-{b}: {got:.3f} vs {want} +- {tol}"
    for (a, b), want in REFERENCE_AUDIO_CORR.items():
        got = df[a].corr(df[b])
        assert abs(got - want) <= AUDIO_CORR_TOL, f"{a}-{b}: {got:.3f} vs {want}"
    for name, want in REFERENCE_AUDIO_STREAM_CORR.items():
        got = df[name].corr(logs["Stream"])
        assert abs(got - want) <= AUDIO_STREAM_CORR_TOL, f"{name}-log Stream: {got:.3f}"
    for name in REFERENCE_AUDIO:
        assert abs(df[name].corr(logs["Stream"])) <= AUDIO_STREAM_CORR_MAX, name
        assert abs(df[name].corr(logs["Views"])) <= AUDIO_STREAM_CORR_MAX, name


def test_missing_and_zeros(df: pd.DataFrame) -> None:
    for name, want in REFERENCE_MISSING.items():
        got = df[name].isna().mean()
        assert abs(got - want) <= MISSING_TOL, f"{name} missing {got:.4f} vs {want}"
    no_video = df.Url_youtube.isna()
    video_block = ["Title", "Channel", "Views", "Likes", "Comments", "Description"]
    video_block += ["Licensed", "official_video"]
    assert df.loc[no_video, video_block].isna().all().all()
    assert df.loc[~no_video, ["Title", "Channel", "Views"]].notna().all().all()
    comments_zero = (df.Comments == 0).mean()
    assert abs(comments_zero - COMMENTS_ZERO_SHARE) <= COMMENTS_ZERO_TOL
    assert 0 < (df.Likes == 0).sum() <= LIKES_ZERO_MAX


def test_flags(raw_rows: list[list[str]], df: pd.DataFrame) -> None:
    for column in ("Licensed", "official_video"):
        index = HEADER.index(column)
        assert {row[index] for row in raw_rows[1:]} == {"True", "False", ""}
    video = df[df.Url_youtube.notna()]
    assert abs(video.official_video.mean() - OFFICIAL_SHARE) <= FLAG_SHARE_TOL
    assert abs(video.Licensed.mean() - LICENSED_SHARE) <= FLAG_SHARE_TOL
    official = video.official_video.astype(bool)
    assert video.Licensed[official].mean() > video.Licensed[~official].mean() + 0.3


def test_collaborations(df: pd.DataFrame) -> None:
    repeated_uri = 1 - df.Uri.nunique() / len(df)
    assert abs(repeated_uri - REPEATED_URI_SHARE) <= REPEATED_URI_TOL
    videos = df.Url_youtube.dropna()
    repeated_video = (len(videos) - videos.nunique()) / len(df)
    assert abs(repeated_video - REPEATED_VIDEO_SHARE) <= REPEATED_VIDEO_TOL
    same_track = ["Track", "Album", "Album_type", "Danceability", "Energy", "Key", "Loudness"]
    same_track += ["Speechiness", "Instrumentalness", "Tempo", "Duration_ms", "Stream"]
    groups = df[df.Uri.duplicated(keep=False)].groupby("Uri")
    assert (groups[same_track].nunique(dropna=False) == 1).all().all()
    assert (groups.Artist.nunique() == groups.size()).all()  # listed once per credited artist


def test_artists(df: pd.DataFrame) -> None:
    sizes = df.groupby("Artist", sort=False).size()
    assert TRACKS_PER_ARTIST[0] <= sizes.mean() <= TRACKS_PER_ARTIST[1]
    assert sizes.max() == 10 and (sizes == 10).mean() > 0.95
    # rows of an artist are contiguous and one Spotify URL belongs to one artist
    assert df.Artist.ne(df.Artist.shift()).sum() == len(sizes)
    assert df.groupby("Artist").Url_spotify.nunique().eq(1).all()
    assert df.Url_spotify.nunique() == len(sizes)


def test_artist_effect(df: pd.DataFrame) -> None:
    data = pd.DataFrame({"y": _log10(df.Stream), "g": df.Artist}).dropna()
    stats = data.groupby("g").y.agg(["mean", "count", "var"])
    n, k = len(data), len(stats)
    between = (stats["count"] * (stats["mean"] - data.y.mean()) ** 2).sum() / (k - 1)
    within = ((stats["count"] - 1) * stats["var"].fillna(0)).sum() / (n - k)
    size = (n - (stats["count"] ** 2).sum() / n) / (k - 1)
    icc = (between - within) / (between + (size - 1) * within)
    assert INTRA_ARTIST_CORR[0] <= icc <= INTRA_ARTIST_CORR[1], icc


def test_group_effects(df: pd.DataFrame) -> None:
    shares = df.Album_type.value_counts(normalize=True)
    for kind, want in ALBUM_TYPE_SHARE.items():
        assert abs(shares[kind] - want) <= ALBUM_TYPE_TOL, kind
    medians = df.groupby("Album_type").Stream.median()
    for kind, (want, tol) in MEDIAN_STREAM_BY_TYPE.items():
        assert abs(medians[kind] / want - 1) <= tol, (kind, medians[kind])
    assert medians["album"] > medians["single"] and medians["compilation"] > medians["single"]
    views = df.groupby("official_video").Views.median()
    for flag, want in MEDIAN_VIEWS_OFFICIAL.items():
        assert abs(views[flag] / want - 1) <= MEDIAN_VIEWS_OFFICIAL_TOL, (flag, views[flag])
    streams = df.groupby("official_video").Stream
    assert streams.median()[True] > streams.median()[False]
    assert streams.mean()[True] > streams.mean()[False]


def test_raw_stream_views_correlation(df: pd.DataFrame) -> None:
    both = df[["Stream", "Views"]].dropna()
    got = both.Stream.corr(both.Views)
    want = RAW_STREAM_VIEWS_CORR
    assert abs(got - want) <= RAW_STREAM_VIEWS_TOL, f"raw Stream-Views: {got:.3f} vs {want}"


def test_official_video_stream_lift(df: pd.DataFrame) -> None:
    for population, rows in (("rows", df), ("distinct Uri", df.drop_duplicates("Uri"))):
        video = rows[rows.official_video.notna() & rows.Stream.notna()]
        official = video.official_video.astype(bool)
        for statistic, (want, tol) in OFFICIAL_STREAM_LIFT.items():
            lift = video.Stream[official].agg(statistic) / video.Stream[~official].agg(statistic)
            assert abs(lift - 1 - want) <= tol, f"{population} {statistic} lift {lift - 1:+.1%}"


# --- albums, video-title types, track-name markers (reference "Structure a model can use") ----
# name -> (column, pattern, share of distinct tracks, median log10 Views with - without, median
# log10 Stream with - without) of the real file. The same SQL patterns as the warehouse flags
# (dbt_project/macros/title_features.sql). Shares within SIGNAL_SHARE_TOL (relative) of the
# reference; median differences within SIGNAL_VIEWS_TOL / SIGNAL_STREAM_TOL dex of it and of
# the same sign when the reference difference is larger than the tolerance.
SIGNALS: dict[str, tuple[str, str, float, float, float]] = {
    "official video": ("Title", r"official (?:music )?video", 0.295, 0.57, 0.40),
    "lyric": ("Title", r"lyric", 0.039, -0.64, -0.14),
    "audio": ("Title", r"\baudio\b", 0.043, -0.70, -0.13),
    "visualizer": ("Title", r"visuali[sz]er", 0.011, -1.04, -0.51),
    "remix": ("Track", r"remix", 0.027, -0.54, -0.24),
    "featuring": ("Track", r"feat\.|\bft\.|\(with ", 0.094, 0.11, 0.12),
    "remaster": ("Track", r"remaster", 0.026, -0.07, 0.30),
}
SIGNAL_SHARE_TOL = 0.25  # relative: 3.9% +- 1.0 pt
SIGNAL_VIEWS_TOL = 0.30
SIGNAL_STREAM_TOL = 0.40  # the official-video title's stream lift is the loosest (0.04 vs 0.40)
# Share of the variance of ln(1 + Stream) between albums (albums of >= 2 distinct tracks) beyond
# the share between artists: the album effect within artist (real file: 0.78 vs 0.57).
ALBUM_OVER_ARTIST_MIN = 0.08


def test_title_and_track_signals(df: pd.DataFrame) -> None:
    tracks = df.drop_duplicates("Uri")
    views, streams = _log10(tracks.Views), _log10(tracks.Stream)
    for name, (column, pattern, share, views_diff, stream_diff) in SIGNALS.items():
        flag = tracks[column].str.lower().str.contains(pattern, regex=True).fillna(False)
        assert abs(flag.mean() / share - 1) <= SIGNAL_SHARE_TOL, (name, flag.mean())
        for got, want, tol in (
            (views[flag].median() - views[~flag].median(), views_diff, SIGNAL_VIEWS_TOL),
            (streams[flag].median() - streams[~flag].median(), stream_diff, SIGNAL_STREAM_TOL),
        ):
            assert abs(got - want) <= tol, (name, got, want)
            if abs(want) > tol:
                assert np.sign(got) == np.sign(want), (name, got, want)


def _between_share(values: pd.Series, groups: pd.Series) -> float:
    data = pd.DataFrame({"y": values, "g": groups}).dropna()
    data = data[data.groupby("g").y.transform("size") >= 2]
    within = ((data.y - data.groupby("g").y.transform("mean")) ** 2).sum()
    return float(1 - within / ((data.y - data.y.mean()) ** 2).sum())


def test_album_effect_within_artist(df: pd.DataFrame) -> None:
    tracks = df.drop_duplicates("Uri")
    streams = np.log1p(tracks.Stream)
    artist = _between_share(streams, tracks.Artist)
    album = _between_share(streams, tracks.Artist + "\x1f" + tracks.Album)
    assert album - artist >= ALBUM_OVER_ARTIST_MIN, (artist, album)
