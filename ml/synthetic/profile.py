"""Calibration of the synthetic file: the measured profile of the real Kaggle file.

The figures come from the reference profile of the real Kaggle "Spotify and Youtube" file
(shared/reference/kaggle_dataset.md in the product's shared docs): shares, quantile knots of every
marginal, and the latent structure (artist effect, correlations, group shifts) tuned so that the
written file shows the measured statistics (see tests/synthetic/test_generator.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

ND = NormalDist()

# --------------------------------------------------------------------------------------------
# Shares and rates
# --------------------------------------------------------------------------------------------

ALBUM_TYPES = ("album", "single", "compilation")
ALBUM_TYPE_P = (0.720, 0.242, 0.038)
KEY_P = (0.115, 0.095, 0.090, 0.030, 0.075, 0.085, 0.070, 0.105, 0.070, 0.100, 0.075, 0.090)

TRACKS_PER_ARTIST = 10
SHORT_ARTIST_P = 0.008  # share of artists with fewer than 10 tracks (1..9)
COPY_P = 1_856 / 20_718  # second listing of a collaboration (repeated Uri)
COPY_VIDEO_P = 0.93  # ... that also repeats the YouTube block of the source
REUSE_VIDEO_P = 0.025  # same video matched to another track of the same artist
NO_VIDEO_P = 0.023
EXTRA_LIKES_MISSING_P = 0.004
EXTRA_COMMENTS_MISSING_P = 0.005
STREAM_MISSING_P = 0.028
VIEWS_ZERO_P = 1 / 20_718
LIKES_OFF_P = 0.0008  # likes reported as 0 on top of the ones rounding to zero
AUDIO_MISSING_P = 2 / 20_718
TEMPO_ZERO_P = 17 / 20_718
EMPTY_DESCRIPTION_P = 0.04
CHANNEL_STYLE_P = (0.42, 0.38, 0.08, 0.12)  # artist name, <Artist>VEVO, "- Topic", label
OFFICIAL_P = 0.776  # of rows with a video
# An artist's official-video propensity is Phi(intercept + OFFICIAL_LEVEL x the artist's stream
# level + OFFICIAL_NOISE x own noise): official videos cluster by artist (propensity sd ~0.19,
# like a Beta(3.1, 0.9)) and go with bigger artists. The intercept gives OFFICIAL_P overall.
OFFICIAL_LEVEL = 0.10
OFFICIAL_NOISE = 0.70
OFFICIAL_INTERCEPT = ND.inv_cdf(OFFICIAL_P) * math.sqrt(1.0 + OFFICIAL_LEVEL**2 + OFFICIAL_NOISE**2)
LICENSED_GIVEN_OFFICIAL = (0.171, 0.85)  # P(Licensed | official False / True) -> 69.8% overall

# --------------------------------------------------------------------------------------------
# Latent structure (standard-normal units)
# --------------------------------------------------------------------------------------------

# Tuned so that the written file shows the measured intra-artist correlation, count
# correlations, group medians and official-video lifts (see tests/synthetic/test_generator.py).
ICC_STREAM = 0.80  # artist share of the Gaussian stream latent (hits and copies dilute it to ~0.56)
ICC_VIEWS = 0.62
ARTIST_AUDIO_SHARE = 0.30  # share of each audio latent that is the artist's sound
RHO_ARTIST_SV = 0.72  # artist stream level vs artist view level
RHO_TRACK_SV = 0.35  # track-level stream vs view latent
# Engagement ratio vs view latent: big videos get relatively fewer likes and comments.
RHO_LIKES_VIEWS = -0.45
RHO_COMMENTS_VIEWS = -0.33
RHO_LIKES_COMMENTS = 0.60  # like ratio vs comment ratio
STREAM_SHIFT = {"album": 0.0, "single": -0.38, "compilation": -0.20}
STREAM_OFFICIAL_SHIFT = 0.05
VIEWS_OFFICIAL_SHIFT = 0.82
# Cross-platform hits: 6% of the tracks with an official video (~4.7% of all tracks) are pushed
# up on both platforms at once. This upper-tail dependence makes the raw (not log) Pearson
# correlation of Stream and Views as high as the measured one (a Gaussian copula with the
# measured log correlation gives only ~0.45) and the official group's mean stream lift larger
# than its median lift, as measured.
HIT_P = (0.0, 0.06)  # P(hit | official video False / True)
HIT_STREAM_SHIFT = 2.3
HIT_VIEWS_SHIFT = 1.5

# --------------------------------------------------------------------------------------------
# Quantile knots of the marginals
# --------------------------------------------------------------------------------------------

_P9 = (0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99)
_P8 = (0.01, 0.05, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
_P7 = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


@dataclass(frozen=True)
class Knots:
    """Quantile knots of one marginal: ``values[i]`` is the ``probs[i]`` quantile.

    ``lo``/``hi`` are the minimum/maximum (placed at normal score -/+4.5), ``log`` interpolates
    in log10 space and ``zero_below`` is a point mass at exactly 0 of that probability.
    """

    probs: tuple[float, ...]
    values: tuple[float, ...]
    lo: float
    hi: float
    log: bool = False
    zero_below: float = 0.0


STREAM = Knots(
    _P9,
    (0.39e6, 2.6e6, 6.0e6, 17.7e6, 49.7e6, 138e6, 347e6, 578e6, 1.28e9),
    6_574,
    3.39e9,
    log=True,
)
VIEWS = Knots(
    _P9, (3.1e3, 47e3, 188e3, 1.8e6, 14.5e6, 70e6, 230e6, 433e6, 1.23e9), 26, 8.08e9, log=True
)
LIKE_RATIO = Knots(
    _P9, (0.0022, 0.0033, 0.0041, 0.0057, 0.0088, 0.015, 0.024, 0.032, 0.054), 2e-4, 0.25, log=True
)
COMMENT_RATIO = Knots(  # the lowest 2.0% have comments at exactly 0 (plus those rounding to 0)
    (0.03, *_P9[1:]),
    (1.8e-5, 4e-5, 7e-5, 1.3e-4, 2.4e-4, 4.7e-4, 9.2e-4, 1.4e-3, 3.8e-3),
    5e-6,
    0.05,
    log=True,
    zero_below=0.020,
)

# Audio columns (named as in the file) in the order of the latent's first dimensions and of the
# audio array, each with its knots.
AUDIO_KNOTS: dict[str, Knots] = {
    "Danceability": Knots(_P7, (0.14, 0.32, 0.52, 0.64, 0.74, 0.86, 0.925), 0.02, 0.98),
    "Energy": Knots(_P7, (0.035, 0.22, 0.51, 0.67, 0.80, 0.93, 0.98), 0.0005, 1.0),
    "Loudness": Knots(_P9, (-27.9, -15.9, -12.6, -8.9, -6.5, -4.9, -3.8, -3.2, -2.2), -46.3, 0.92),
    "Speechiness": Knots(
        _P8, (0.025, 0.028, 0.036, 0.051, 0.10, 0.24, 0.32, 0.66), 0.022, 0.96, log=True
    ),
    "Acousticness": Knots(
        (0.01, 0.05, 0.25, 0.5, 0.6, 0.75, 0.9, 0.95, 0.99),
        (1.5e-4, 0.0015, 0.045, 0.19, 0.285, 0.48, 0.80, 0.89, 0.985),
        1e-6,
        0.996,
        log=True,
    ),
    "Instrumentalness": Knots(
        (0.55, 0.75, 0.85, 0.9, 0.93, 0.95, 0.97, 0.99),
        (1e-6, 4e-4, 0.008, 0.09, 0.3, 0.58, 0.84, 0.94),
        1e-6,
        0.995,
        log=True,
        zero_below=0.55,
    ),
    "Liveness": Knots(
        _P8, (0.042, 0.058, 0.094, 0.125, 0.24, 0.39, 0.57, 0.95), 0.014, 1.0, log=True
    ),
    "Valence": Knots(_P9, (0.03, 0.12, 0.19, 0.34, 0.54, 0.73, 0.865, 0.92, 0.972), 0.01, 0.995),
    "Tempo": Knots(_P9, (68, 78, 84, 97, 120, 140, 164, 175, 195), 35, 240),
    "Duration_ms": Knots(
        _P9,
        (87e3, 134e3, 152e3, 180e3, 213e3, 252e3, 300e3, 336e3, 474e3),
        30_985,
        4.68e6,
        log=True,
    ),
}
AUDIO = tuple(AUDIO_KNOTS)
# Decimals (dB, BPM, ms) or significant digits (the 0-1 features) as written by the Spotify API.
AUDIO_DECIMALS = {"Loudness": 3, "Tempo": 3, "Duration_ms": 0}
AUDIO_SIG_DIGITS = {name: 3 for name in AUDIO if name not in AUDIO_DECIMALS}

# --------------------------------------------------------------------------------------------
# Latent correlations
# --------------------------------------------------------------------------------------------

# The Gaussian latent (10 audio dims, stream level, view level) is an artist part plus a track
# part, both with the correlations below; LATENT_ARTIST_SHARE is the artist's share of variance.
LATENT = (*AUDIO, "stream", "views")
LATENT_ARTIST_SHARE = np.array([ARTIST_AUDIO_SHARE] * len(AUDIO) + [ICC_STREAM, ICC_VIEWS])

# Lower triangle of the latent correlation matrix, rows and columns in LATENT order. Tuned so
# that the Pearson correlations of the written values match the measured ones. The stream-views
# entry is not here: it is RHO_TRACK_SV for the track part and RHO_ARTIST_SV for the artist part.
_LATENT_CORR_LOWER: dict[str, tuple[float, ...]] = {
    #                    Dance Energy   Loud Speech Acoust  Instr   Live    Val  Tempo    Dur stream
    "Energy":           ( 0.20,),
    "Loudness":         ( 0.30,  0.80),
    "Speechiness":      ( 0.22,  0.10,  0.00),
    "Acousticness":     (-0.25, -0.69, -0.60,  0.00),
    "Instrumentalness": (-0.18, -0.30, -0.75, -0.10,  0.30),
    "Liveness":         (-0.10,  0.18,  0.08,  0.08,  0.00,  0.00),
    "Valence":          ( 0.50,  0.40,  0.32,  0.00, -0.15, -0.25,  0.00),
    "Tempo":            (-0.08,  0.18,  0.15,  0.00, -0.10,  0.00,  0.00,  0.05),
    "Duration_ms":      (-0.10,  0.00,  0.00,  0.00,  0.00,  0.05,  0.00,  0.00,  0.00),
    "stream":           ( 0.03,  0.00,  0.21, -0.16, -0.14, -0.25,  0.00,  0.00,  0.00,  0.00),
    "views":            ( 0.08,  0.00,  0.12, -0.05, -0.06, -0.12,  0.00,  0.00,  0.00,  0.00),
}  # fmt: skip


def latent_correlation(rho_stream_views: float) -> np.ndarray:
    """The latent correlation matrix (LATENT order) with the given stream-views correlation."""
    if tuple(_LATENT_CORR_LOWER) != LATENT[1:]:
        raise ValueError("the latent correlation rows must follow LATENT")
    corr = np.eye(len(LATENT))
    for i, row in enumerate(_LATENT_CORR_LOWER.values(), start=1):
        corr[i, : len(row)] = row
    views, stream = LATENT.index("views"), LATENT.index("stream")
    corr[views, stream] = rho_stream_views
    return np.tril(corr) + np.tril(corr, -1).T


TRACK_CHOL = np.linalg.cholesky(latent_correlation(RHO_TRACK_SV))
ARTIST_CHOL = np.linalg.cholesky(latent_correlation(RHO_ARTIST_SV))
# Engagement ratios (likes/views, comments/views): correlated with each other and, negatively,
# with the standardised view latent (big videos get relatively fewer likes and comments).
ENGAGEMENT_CHOL = np.linalg.cholesky(
    np.array([[1.0, RHO_LIKES_COMMENTS], [RHO_LIKES_COMMENTS, 1.0]])
)

# --------------------------------------------------------------------------------------------
# Albums, video-title types and track-name markers (reference section "Structure a model can
# use": shares of distinct tracks and median log10 Views / Stream with vs without)
# --------------------------------------------------------------------------------------------

# An album effect within the artist: the album's share of the TRACK part of the stream and view
# latents (the artist part is untouched, so the intra-artist correlation stays). Albums nest
# within artists; the measured album share of variance (0.78 of log streams, 0.65 of log views,
# albums of >= 2 tracks) is mostly the artist's 0.57 / 0.45.
ALBUM_TRACK_SHARE = 0.5
ALBUM_SLOTS = 4  # an artist has 1-4 albums (names.artist_albums); a row picks one of them
# (stream, views) album effects are correlated like the track parts of the two latents
ALBUM_CHOL = np.linalg.cholesky(np.array([[1.0, RHO_TRACK_SV], [RHO_TRACK_SV, 1.0]]))

# Video-title types other than "official video": (name, share of distinct tracks, view shift,
# stream shift) in latent sd units (views: measured dex difference / 1.18 dex, streams / 0.66
# dex, the latents' spread). Each is drawn for any track with a video, independent of the
# official flag; "official video" titles go with the official flag (TITLE_OFFICIAL_GIVEN_OFFICIAL
# of the official rows without another type, -> 29.5% of tracks), and carry the flag's lift.
TITLE_TYPES: tuple[tuple[str, float, float, float], ...] = (
    ("lyric", 0.039, -0.54, -0.21),
    ("audio", 0.043, -0.59, -0.20),
    ("live", 0.012, -0.36, 0.0),  # the track-name "live" adds the rest of the measured 1.9%
    ("visualizer", 0.011, -0.88, -0.77),
)
TITLE_OFFICIAL_GIVEN_OFFICIAL = 0.44
# Track-name markers: (name, share of distinct tracks, view shift, stream shift), same units.
TRACK_MARKER_TYPES: tuple[tuple[str, float, float, float], ...] = (
    ("featuring", 0.094, 0.09, 0.18),
    ("remix", 0.027, -0.46, -0.36),
    ("remaster", 0.026, -0.06, 0.45),
    ("live", 0.008, -0.36, 0.0),
    ("radio_edit", 0.020, 0.0, 0.0),
)


def centred_shifts(
    types: tuple[tuple[str, float, float, float], ...],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw probabilities (none first) and the view / stream shifts of each type (none first),
    centred so that the average shift is 0 (the count marginals keep their calibration)."""
    shares = np.array([share for _, share, _, _ in types])
    probabilities = np.concatenate([[1.0 - shares.sum()], shares])
    views = np.concatenate([[0.0], [v for _, _, v, _ in types]])
    streams = np.concatenate([[0.0], [s for _, _, _, s in types]])
    return probabilities, views - probabilities @ views, streams - probabilities @ streams
