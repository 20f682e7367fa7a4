"""Seeded synthetic stand-in for the Kaggle "Spotify and Youtube" CSV (``Spotify_Youtube.csv``).

The file has the real layout (28 columns, empty first header, floats written as ``6.0``, flags
as ``True``/``False``, empty fields for missing values, quoted multi-line descriptions) and is
calibrated to the measured profile in ``/work/shared/reference/kaggle_dataset.md``.

How the numbers are made (all vectorised with numpy, one chunk of whole artists at a time):

* Every marginal is a quantile function: measured quantile knots interpolated linearly in
  normal-score space (in log10 space for counts and skewed features), applied to a Gaussian
  latent, i.e. a Gaussian copula. Latents that carry a group shift (album type, official video,
  hit) are mapped through the exact mixture CDF so that the overall marginal stays calibrated.
* A latent *artist* effect (stream level, view level, sound, official-video propensity) makes
  tracks of one artist alike; audio features correlate weakly with the count latents.
* Two departures from a plain Gaussian copula reproduce what the analyses lean on. Official
  videos go with bigger artists (the propensity rises with the artist's stream level) and carry
  the *hits*: a few tracks pushed far up on Spotify and YouTube at once. The hits give the upper
  tail dependence behind the raw (not log) Stream-Views correlation of 0.60 and the official-video
  lift of mean streams (+70%), which is larger than the lift of the median (+42%).
* Likes and Comments are Views times an engagement ratio drawn from the measured ratio quantiles.
* About 9% of rows are a collaboration: a second listing of a recent track of another artist
  (same Uri, Track, Album, audio, Stream; usually the same video). Sources come from a bounded
  pool of recent rows, so memory does not grow with the file.

Rows are streamed to a temporary file with ``csv.writer`` and renamed at the end.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import random
import re
import secrets
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np

HEADER: list[str] = [
    "",
    "Artist",
    "Url_spotify",
    "Track",
    "Album",
    "Album_type",
    "Uri",
    "Danceability",
    "Energy",
    "Key",
    "Loudness",
    "Speechiness",
    "Acousticness",
    "Instrumentalness",
    "Liveness",
    "Valence",
    "Tempo",
    "Duration_ms",
    "Url_youtube",
    "Title",
    "Channel",
    "Views",
    "Likes",
    "Comments",
    "Description",
    "Licensed",
    "official_video",
    "Stream",
]

DEFAULT_ROWS = 20_718
DEFAULT_SEED = 42
CHUNK_ROWS = 50_000  # rows per vectorised chunk (whole artists; the last one may be cut)
POOL_ROWS = 2_000  # recent rows a collaboration may copy from (bounds memory)

_ND = NormalDist()
_Z_TAIL = 4.5  # the min / max of a marginal sit at this normal score (p ~ 3.4e-6)

# --------------------------------------------------------------------------------------------
# Calibration: measured profile of the real file
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
OFFICIAL_P = 0.776  # of rows with a video
# An artist's official-video propensity is Phi(intercept + OFFICIAL_LEVEL x the artist's stream
# level + OFFICIAL_NOISE x own noise): official videos cluster by artist (propensity sd ~0.19,
# like a Beta(3.1, 0.9)) and go with bigger artists. The intercept gives OFFICIAL_P overall.
OFFICIAL_LEVEL = 0.10
OFFICIAL_NOISE = 0.70
OFFICIAL_INTERCEPT = _ND.inv_cdf(OFFICIAL_P) * math.sqrt(
    1.0 + OFFICIAL_LEVEL**2 + OFFICIAL_NOISE**2
)
LICENSED_GIVEN_OFFICIAL = (0.171, 0.85)  # P(Licensed | official False / True) -> 69.8% overall

# Latent structure (standard-normal units); tuned so that the written file shows the measured
# intra-artist correlation, count correlations, group medians and official-video lifts (see
# tests/test_synthetic.py).
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

_P9 = (0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99)


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
DURATION = Knots(
    _P9, (87e3, 134e3, 152e3, 180e3, 213e3, 252e3, 300e3, 336e3, 474e3), 30_985, 4.68e6, log=True
)
TEMPO = Knots(_P9, (68, 78, 84, 97, 120, 140, 164, 175, 195), 35, 240)
LOUDNESS = Knots(_P9, (-27.9, -15.9, -12.6, -8.9, -6.5, -4.9, -3.8, -3.2, -2.2), -46.3, 0.92)
DANCEABILITY = Knots(
    (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99),
    (0.14, 0.32, 0.52, 0.64, 0.74, 0.86, 0.925),
    0.02,
    0.98,
)
ENERGY = Knots(
    (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99),
    (0.035, 0.22, 0.51, 0.67, 0.80, 0.93, 0.98),
    0.0005,
    1.0,
)
VALENCE = Knots(
    (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99),
    (0.03, 0.12, 0.19, 0.34, 0.54, 0.73, 0.865, 0.92, 0.972),
    0.01,
    0.995,
)
SPEECHINESS = Knots(
    (0.01, 0.05, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99),
    (0.025, 0.028, 0.036, 0.051, 0.10, 0.24, 0.32, 0.66),
    0.022,
    0.96,
    log=True,
)
ACOUSTICNESS = Knots(
    (0.01, 0.05, 0.25, 0.5, 0.6, 0.75, 0.9, 0.95, 0.99),
    (1.5e-4, 0.0015, 0.045, 0.19, 0.285, 0.48, 0.80, 0.89, 0.985),
    1e-6,
    0.996,
    log=True,
)
INSTRUMENTALNESS = Knots(
    (0.55, 0.75, 0.85, 0.9, 0.93, 0.95, 0.97, 0.99),
    (1e-6, 4e-4, 0.008, 0.09, 0.3, 0.58, 0.84, 0.94),
    1e-6,
    0.995,
    log=True,
    zero_below=0.55,
)
LIVENESS = Knots(
    (0.01, 0.05, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99),
    (0.042, 0.058, 0.094, 0.125, 0.24, 0.39, 0.57, 0.95),
    0.014,
    1.0,
    log=True,
)

# Audio columns in the order of the latent's first dimensions and of the audio array.
AUDIO = (
    "Danceability",
    "Energy",
    "Loudness",
    "Speechiness",
    "Acousticness",
    "Instrumentalness",
    "Liveness",
    "Valence",
    "Tempo",
    "Duration_ms",
)
AUDIO_KNOTS = (
    DANCEABILITY,
    ENERGY,
    LOUDNESS,
    SPEECHINESS,
    ACOUSTICNESS,
    INSTRUMENTALNESS,
    LIVENESS,
    VALENCE,
    TEMPO,
    DURATION,
)
# Significant digits (0-1 features) or decimals (dB, BPM, ms) as written by the Spotify API.
AUDIO_SIG_DIGITS = {0: 3, 1: 3, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3}
AUDIO_DECIMALS = {2: 3, 8: 3, 9: 0}
# The Gaussian latent (10 audio dims, stream level, view level) is an artist part plus a track
# part, both with the correlations below; LATENT_ARTIST_SHARE is the artist's share of variance.
LATENT = (*AUDIO, "stream", "views")
LATENT_ARTIST_SHARE = np.array([ARTIST_AUDIO_SHARE] * len(AUDIO) + [ICC_STREAM, ICC_VIEWS])

# Latent correlations (pairs not listed are 0). Tuned so that the Pearson correlations of the
# written values match the measured ones (see the module tests).
_LATENT_CORR: dict[tuple[str, str], float] = {
    ("Danceability", "Energy"): 0.20,
    ("Danceability", "Loudness"): 0.30,
    ("Danceability", "Speechiness"): 0.22,
    ("Danceability", "Acousticness"): -0.25,
    ("Danceability", "Instrumentalness"): -0.18,
    ("Danceability", "Liveness"): -0.10,
    ("Danceability", "Valence"): 0.50,
    ("Danceability", "Tempo"): -0.08,
    ("Danceability", "Duration_ms"): -0.10,
    ("Energy", "Loudness"): 0.80,
    ("Energy", "Speechiness"): 0.10,
    ("Energy", "Acousticness"): -0.69,
    ("Energy", "Instrumentalness"): -0.30,
    ("Energy", "Liveness"): 0.18,
    ("Energy", "Valence"): 0.40,
    ("Energy", "Tempo"): 0.18,
    ("Loudness", "Acousticness"): -0.60,
    ("Loudness", "Instrumentalness"): -0.75,
    ("Loudness", "Liveness"): 0.08,
    ("Loudness", "Valence"): 0.32,
    ("Loudness", "Tempo"): 0.15,
    ("Speechiness", "Acousticness"): 0.0,
    ("Speechiness", "Instrumentalness"): -0.10,
    ("Speechiness", "Liveness"): 0.08,
    ("Acousticness", "Instrumentalness"): 0.30,
    ("Acousticness", "Valence"): -0.15,
    ("Acousticness", "Tempo"): -0.10,
    ("Instrumentalness", "Valence"): -0.25,
    ("Instrumentalness", "Duration_ms"): 0.05,
    ("Valence", "Tempo"): 0.05,
    ("stream", "Loudness"): 0.21,
    ("stream", "Instrumentalness"): -0.25,
    ("stream", "Speechiness"): -0.16,
    ("stream", "Acousticness"): -0.14,
    ("stream", "Danceability"): 0.03,
    ("stream", "Energy"): 0.0,
    ("views", "Loudness"): 0.12,
    ("views", "Instrumentalness"): -0.12,
    ("views", "Speechiness"): -0.05,
    ("views", "Acousticness"): -0.06,
    ("views", "Danceability"): 0.08,
}


def _correlation(names: Sequence[str], pairs: dict[tuple[str, str], float]) -> np.ndarray:
    index = {name: i for i, name in enumerate(names)}
    corr = np.eye(len(names))
    for (a, b), r in pairs.items():
        if a in index and b in index:
            corr[index[a], index[b]] = corr[index[b], index[a]] = r
    return corr


TRACK_CHOL = np.linalg.cholesky(
    _correlation(LATENT, {**_LATENT_CORR, ("stream", "views"): RHO_TRACK_SV})
)
ARTIST_CHOL = np.linalg.cholesky(
    _correlation(LATENT, {**_LATENT_CORR, ("stream", "views"): RHO_ARTIST_SV})
)
# Engagement ratios (likes/views, comments/views): correlated with each other and, negatively,
# with the standardised view latent (big videos get relatively fewer likes and comments).
ENGAGEMENT_CHOL = np.linalg.cholesky(
    np.array([[1.0, RHO_LIKES_COMMENTS], [RHO_LIKES_COMMENTS, 1.0]])
)


# --------------------------------------------------------------------------------------------
# Marginals: quantile functions applied to Gaussian latents
# --------------------------------------------------------------------------------------------


# Chebyshev fit of erfc (Press et al., Numerical Recipes, "erfcc"): relative error < 1.2e-7 for
# every x >= 0, tails included. numpy has no erf and scipy would add ~30 MB to the process.
_ERFC_COEF = (
    -1.26551223,
    1.00002368,
    0.37409196,
    0.09678418,
    -0.18628806,
    0.27886807,
    -1.13520398,
    1.48851587,
    -0.82215223,
    0.17087277,
)


def _normal_cdf_sf(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standard normal CDF and survival function, each accurate in its own small tail."""
    x = np.abs(z) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.5 * x)
    poly = np.zeros_like(t)
    for coef in reversed(_ERFC_COEF):
        poly = poly * t + coef
    tail = 0.5 * t * np.exp(poly - x * x)  # P(Z > |z|)
    return np.where(z < 0, tail, 1.0 - tail), np.where(z < 0, 1.0 - tail, tail)


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    return _normal_cdf_sf(z)[0]


class Marginal:
    """Maps a latent (standard normal, or a normal mixture) to values with the given knots.

    ``mixture`` is ``(weights, means, sds)``: the latent's distribution is the mixture of
    ``N(means[i], sds[i]**2)`` with those weights; the latent is mapped through the mixture CDF
    and then through the knots, so the values have the calibrated marginal whatever the mixture.
    """

    def __init__(self, knots: Knots, mixture: Mixture | None = None):
        z_knots = np.array([-_Z_TAIL, *(_ND.inv_cdf(p) for p in knots.probs), _Z_TAIL])
        v_knots = np.array([knots.lo, *knots.values, knots.hi], dtype=float)
        if knots.log:
            v_knots = np.log10(v_knots)
        self.log = knots.log
        self.zero_below = _ND.inv_cdf(knots.zero_below) if knots.zero_below else None
        self.mean, self.std = 0.0, 1.0
        if mixture is None:
            self.x, self.y = z_knots, v_knots
            return
        if self.zero_below is not None:
            raise ValueError("a point mass at zero needs a standard-normal latent")
        weights, means, sds = (np.asarray(a, dtype=float) for a in mixture)
        weights = weights / weights.sum()
        self.mean = float(weights @ means)
        self.std = math.sqrt(float(weights @ (sds**2 + means**2)) - self.mean**2)
        # Tabulate value(x) = Q(F_mix(x)) on a fine grid (in slices to bound memory). The normal
        # score comes from the CDF below the median and from the survival function above it, so
        # both tails keep their relative precision.
        self.x = np.linspace(means.min() - 7.0 * sds.max(), means.max() + 7.0 * sds.max(), 4001)
        cdf, sf = np.zeros_like(self.x), np.zeros_like(self.x)
        for i in range(0, len(weights), 256):
            part = slice(i, i + 256)
            part_cdf, part_sf = _normal_cdf_sf((self.x[:, None] - means[part]) / sds[part])
            cdf += part_cdf @ weights[part]
            sf += part_sf @ weights[part]
        lower = np.clip(np.minimum(cdf, sf), 1e-15, 0.5)
        scores = np.array([_ND.inv_cdf(float(p)) for p in lower])
        scores = np.where(cdf <= sf, scores, -scores)
        self.y = np.interp(scores, z_knots, v_knots)

    def __call__(self, latent: np.ndarray) -> np.ndarray:
        values = np.interp(latent, self.x, self.y)
        if self.log:
            values = 10.0**values
        if self.zero_below is not None:
            values[latent < self.zero_below] = 0.0
        return values


Mixture = tuple[np.ndarray, np.ndarray, np.ndarray]


def _official_given_level(level: np.ndarray) -> np.ndarray:
    """P(official video | the artist's standardised stream level), propensity noise averaged."""
    return _normal_cdf(
        (OFFICIAL_INTERCEPT + OFFICIAL_LEVEL * level) / math.sqrt(1.0 + OFFICIAL_NOISE**2)
    )


LEVEL_NODES = 49  # quadrature nodes (step 0.25): values within 1e-4 dex of a 10x finer grid


def _count_mixtures() -> tuple[Mixture, Mixture]:
    """Distributions of the stream and view latents as normal mixtures.

    Conditional on the artist's stream level ``a`` (a quadrature grid), on the album type, the
    official flag (which depends on ``a``) and the hit flag, each latent is normal:
    stream = type shift + official shift + hit shift + sqrt(ICC_STREAM) a + N(0, 1 - ICC_STREAM);
    views = official shift + hit shift + sqrt(ICC_VIEWS) RHO_ARTIST_SV a
    + N(0, 1 - ICC_VIEWS RHO_ARTIST_SV^2) (the artist's view level given ``a``, plus the track).
    """
    level = np.linspace(-6.0, 6.0, LEVEL_NODES)
    level_w = np.exp(-0.5 * level**2)
    level_w /= level_w.sum()
    p_official = _official_given_level(level)
    stream: list[tuple[np.ndarray, np.ndarray]] = []
    views: list[tuple[np.ndarray, np.ndarray]] = []
    for official in (0, 1):
        w_official = level_w * (p_official if official else 1.0 - p_official)
        for hit, p_hit in ((0, 1.0 - HIT_P[official]), (1, HIT_P[official])):
            w = w_official * p_hit
            shift = STREAM_OFFICIAL_SHIFT * official + HIT_STREAM_SHIFT * hit
            for name, p_type in zip(ALBUM_TYPES, ALBUM_TYPE_P, strict=True):
                stream.append(
                    (w * p_type, STREAM_SHIFT[name] + shift + math.sqrt(ICC_STREAM) * level)
                )
            shift = VIEWS_OFFICIAL_SHIFT * official + HIT_VIEWS_SHIFT * hit
            views.append((w, shift + math.sqrt(ICC_VIEWS) * RHO_ARTIST_SV * level))

    def mixture(parts: list[tuple[np.ndarray, np.ndarray]], sd: float) -> Mixture:
        weights = np.concatenate([w for w, _ in parts])
        means = np.concatenate([m for _, m in parts])
        return weights, means, np.full_like(means, sd)

    return (
        mixture(stream, math.sqrt(1.0 - ICC_STREAM)),
        mixture(views, math.sqrt(1.0 - ICC_VIEWS * RHO_ARTIST_SV**2)),
    )


def _engagement(v_std: np.ndarray, noise: np.ndarray, rho: float) -> np.ndarray:
    """Standard-normal latent with correlation ``rho`` to the standardised view latent."""
    return rho * v_std + math.sqrt(1.0 - rho**2) * noise


def _round_sig(values: np.ndarray, digits: int) -> np.ndarray:
    """Round to significant digits (by dividing by a power of ten, so repr stays short)."""
    safe = np.where(values > 0, values, 1.0)
    decimals = digits - 1 - np.floor(np.log10(safe)).astype(int)
    scale = 10.0 ** np.abs(decimals)
    up = np.rint(values * scale) / scale
    down = np.rint(values / scale) * scale
    return np.where(values > 0, np.where(decimals >= 0, up, down), values)


# --------------------------------------------------------------------------------------------
# Text: names, ids, titles, descriptions
# --------------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.strip().splitlines())


FIRST = _words(
    """
    Maya Liam Olivia Noah Ava Elijah Sofia Lucas Isabella Mateo Mia Leo Amelia Ezra Harper
    Kai Luna Jonah Zoë José Chloé Renée Björn Søren Ingrid Camila Diego Valentina Santiago
    Lucía Andrés Nadia Omar Layla Yusuf Amara Kofi Zara Aaliyah Marcus Jasmine Tyler Jordan
    Riley Skye Nina Felix Hugo Elsa Astrid Freya Anya Dmitri Mila Hana Kenji Yuna Priya
    Arjun Ravi Inès Théo Émile Aurélie Gaël Malik Imani Tariq Selena Rosa Carmen Pablo
    Rafael Gabriel Bruno Thiago Beatriz Caleb Sadie Rhys Maeve
    """
)
LAST = _words(
    """
    Rivera Hayes Brooks Sato Kim Park Nakamura Silva Santos Costa Moreau Dubois Laurent
    Rossi Bianchi Novak Kowalski Nielsen Østergaard Lindqvist Müller Schäfer Fischer Weber
    Hoffmann Reyes Morales Ortiz Castillo Vega Navarro Ibáñez Núñez Okafor Mensah Diallo
    Haddad Nasser Khan Patel Sharma Singh O'Connor Murphy Walsh Kelly Byrne Carter Bennett
    Sullivan Foster Griffin Price Hughes Ward Cole Reed Hart Lane Wolfe Stone Fox Frost
    Knight Blake Monroe Vance Sterling Delacroix Ærøe
    """
)
ADJ = _words(
    """
    Velvet Golden Electric Silent Neon Crimson Hollow Wild Midnight Paper Glass Broken Lucky
    Lonely Cosmic Violet Empty Burning Frozen Sweet Bitter Little Young Lost Secret Blue
    Black White Silver Tender Savage Hidden Restless Fading Wicked Honest Endless Sacred
    Northern Southern Rusty Dizzy Sleepy Lazy Royal Atomic Magnetic Analog Digital Faded
    Starry Stormy Sunny Quiet Loud Crystal Marble Copper Pretty Dangerous
    """
)
NOUN = _words(
    """
    Harbor Tiger Ocean River Mirror Garden Echo Shadow Horizon Thunder Satellite Heart Fever
    Dream Riot Engine Season Signal Canyon Lantern Wolf Raven Rose Comet Planet Highway
    Motel Paradise Kingdom Summer Winter Island Desert Forest Mountain City Avenue Circus
    Parade Temple Voyage Rocket Diamond Feather Ghost Angel Monster Machine Radio Galaxy
    Storm Flame Wave Cloud Moon Sun Star Crown Arrow Lover Stranger Daydream
    """
)
NORDIC = _words(
    """
    Mørk Lys Kald Stille Hvit Sølv Ærlig Blå Röd Grøn Fjern Vild
    """
)
SYLLABLES = _words(
    """
    ka zo ri mi lo na ve xa lu ty ra no shi ko ya el ar on is ze mo da ny qu
    """
)
ENDINGS = ("", "a", "o", "n", "x", "y", "e", "i", "ah", "ix")
PREFIXES = _words(
    """
    Lil DJ MC Young Big Yung King Queen
    """
)
JP_FAMILY = _words(
    """
    星野 米田 藤原 宇野 椎葉 山中 中川 福井 青山 高橋 小松 桜井
    """
)
JP_GIVEN = _words(
    """
    ユイ 光 風 ヒカル 蓮 あおい 美咲 ソラ 凛 陽菜 湊 結衣
    """
)
KR_FAMILY = _words(
    """
    김 이 박 최 정 강 윤 한
    """
)
KR_GIVEN = _words(
    """
    하늘 지우 민준 서연 별 나래 도윤 하은 시우 유나
    """
)
PHRASES = _lines(
    """
    Don't Let Me Go
    All Night Long
    Hold On
    Take Me Home
    Say It Again
    Run Away
    Back to You
    Feel It Still
    Never Enough
    One More Time
    Stay With Me
    Let It Burn
    Dancing Alone
    Call Me Later
    Falling Slowly
    Wake Me Up
    Sweet Dreams
    Better Days
    Lose Control
    Good Things
    Open Arms
    Bad Habits
    Right Now
    Golden Hour
    Heartbeat
    Slow Down
    No Tears Left
    Without You
    Where We Go
    Ride It
    Tonight
    Forever Young
    I Don't Care
    Can't Stop
    Higher
    Rewind
    Closer
    Gravity
    Echoes
    Blinding
    Paper Planes
    Summertime
    Bloodstream
    Overdrive
    Wildfire
    Lullaby
    Daylight
    Afterglow
    Sunflower
    Yellow Submarine Dream
    Counting Stars
    Left Behind
    """
)
EXOTIC_TRACKS = _lines(
    """
    Café Noir
    Déjà Vu
    Æther
    夜に駆ける
    사랑의 노래
    Niño Perdido
    Señorita Azul
    🔥 Fuego 🔥
    Mañana
    Über den Wolken
    Garçon
    Ça Va
    Coração
    Lágrimas
    星の歌
    Sommarnatt
    Ljós
    Émotions
    💔 Heartbreak
    ✨ Magic ✨
    Ciudad de Cristal
    Mi Corazón
    La Canción
    月光
    봄날
    Ølstue
    Tú y Yo
    """
)
COMMA_TRACKS = _lines(
    """
    Yes, I Know
    Oh, Darling
    Hello, Goodbye
    Run, Baby, Run
    Love Me, Leave Me
    Slow, Then Fast
    No, No, No
    Well, Well, Well
    Stay, Stay, Stay
    """
)
LABELS = _lines(
    """
    Atlantic Records
    Columbia Records
    Interscope Records
    Republic Records
    XL Recordings
    Sub Pop
    Big Machine Records
    Def Jam Recordings
    Warner Records
    Island Records
    Universal Music Latino
    Sony Music Entertainment México, S.A. de C.V.
    YG Entertainment
    Ninja Tune
    Parlophone Records Ltd.
    Epic Records
    RCA Records
    Capitol Records
    Polydor Ltd. (UK)
    Spinnin' Records
    Monstercat
    Ultra Music
    """
)
LYRIC_CHANNELS = _lines(
    """
    7clouds
    Lyrics Hub
    Trap Nation
    Chill Nation
    Vibe Music
    Taz Network
    Dan Music
    Rap Nation
    Lyric Video Channel
    Sad Songs ♡
    음악 플레이리스트
    """
)
LYRIC_LINES = _lines(
    """
    I said "hold on", but you were already gone
    We were young, we were wild, we were free
    Dancing in the kitchen at 3 a.m.
    Oh-oh-oh, don't let me down
    She told me "baby, it's over", and I believed her
    Lights go down, hearts go up
    Tu y yo, bajo la luna, otra vez
    Cause every little thing is gonna be alright
    Take my hand, take my whole life too
    Na na na, na na na, hey hey
    """
)
EMOJI = ("🔥", "🎧", "✨", "💜", "🎶", "🚀", "❤️", "🌙", "👀", "🙏")

_B62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", np.uint8)
_B64 = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", np.uint8)


def random_ids(rng: np.random.Generator, n: int, length: int, alphabet: np.ndarray) -> np.ndarray:
    """``n`` random strings of ``length`` characters drawn from ``alphabet`` (an object array)."""
    codes = alphabet[rng.integers(0, len(alphabet), size=(n, length))]
    return codes.view(f"S{length}").ravel().astype(f"U{length}").astype(object)


def _plural(noun: str) -> str:
    if noun == "Wolf":
        return "Wolves"
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


def _person(first: str, last: str, cycle: int) -> str:
    if cycle == 0:
        return f"{first} {last}"
    middle = chr(ord("A") + (cycle - 1) % 26)
    return f"{first} {middle}. {last}" + (f" {cycle // 26 + 1}" if cycle > 26 else "")


def _stage(a: str, b: str, end: str) -> str:
    return (a + b + end).capitalize()


# (weight, word lists, formatter(words..., cycle)) for artist names.
_ARTIST_PATTERNS: tuple[tuple[float, tuple[Sequence[str], ...], Callable[..., str]], ...] = (
    (0.38, (FIRST, LAST), lambda f, la, c: _person(f, la, c)),
    (0.14, (SYLLABLES, SYLLABLES, ENDINGS), lambda a, b, e, c: _stage(a, b, e)),
    (0.08, (PREFIXES, SYLLABLES, SYLLABLES), lambda p, a, b, c: f"{p} {_stage(a, b, '')}"),
    (0.12, (ADJ, NOUN), lambda a, n, c: f"The {a} {_plural(n)}"),
    (0.10, (ADJ, NOUN), lambda a, n, c: f"{a} {n}"),
    (0.05, (FIRST, LAST, NOUN), lambda f, la, n, c: f"{_person(f, la, c)} & The {_plural(n)}"),
    (0.025, (JP_FAMILY, JP_GIVEN), lambda f, g, c: f"{f} {g}"),
    (0.015, (KR_FAMILY, KR_GIVEN), lambda f, g, c: f"{f}{g}"),
    (0.04, (SYLLABLES, SYLLABLES, ENDINGS), lambda a, b, e, c: (a + b + e).upper()),
    (0.05, (NORDIC, NOUN), lambda a, n, c: f"{a} {n}"),
)


class ArtistNamer:
    """Unique, realistic-looking artist names without remembering the ones already used.

    Each pattern enumerates its word combinations in a seeded affine order (a bijection of
    ``0..size-1``); after one pass a cycle number disambiguates (middle initial or a suffix).
    """

    STRIDE = 1_000_003  # prime, larger than every pattern's size, so coprime with each
    PERSON_PATTERNS = (0, 5)  # these disambiguate with a middle initial instead of a suffix

    def __init__(self, text_rng: random.Random):
        self.rng = text_rng
        self.weights = [w for w, _, _ in _ARTIST_PATTERNS]
        self.sizes = [math.prod(len(words) for words in lists) for _, lists, _ in _ARTIST_PATTERNS]
        self.offsets = [text_rng.randrange(size) for size in self.sizes]
        self.counters = [0] * len(_ARTIST_PATTERNS)

    def __call__(self) -> str:
        kind = self.rng.choices(range(len(_ARTIST_PATTERNS)), self.weights)[0]
        _, lists, fmt = _ARTIST_PATTERNS[kind]
        count, size = self.counters[kind], self.sizes[kind]
        self.counters[kind] += 1
        cycle, k = divmod(count, size)
        k = (k * self.STRIDE + self.offsets[kind]) % size
        words = []
        for words_list in reversed(lists):
            k, digit = divmod(k, len(words_list))
            words.append(words_list[digit])
        name = fmt(*reversed(words), cycle)
        if cycle and kind not in self.PERSON_PATTERNS:
            name = f"{name} {cycle + 1}"
        return name


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]", "", name.lower())
    return slug or "official"


def track_name(rnd: random.Random, other_artists: Sequence[str]) -> str:
    roll = rnd.random()
    if roll < 0.05:
        base = rnd.choice(EXOTIC_TRACKS)
    elif roll < 0.08:
        base = rnd.choice(COMMA_TRACKS)
    elif roll < 0.095:
        base = f'The "{rnd.choice(NOUN)}" Song'
    elif roll < 0.45:
        base = rnd.choice(PHRASES)
    elif roll < 0.75:
        base = f"{rnd.choice(ADJ)} {rnd.choice(NOUN)}"
    else:
        base = rnd.choice(NOUN)
    roll = rnd.random()
    if roll < 0.08:
        return f"{base} (feat. {rnd.choice(other_artists)})"
    if roll < 0.11:
        return f"{base} - Remastered {rnd.randint(1997, 2022)}"
    if roll < 0.13:
        return f"{base} - Radio Edit"
    if roll < 0.15:
        return f"{base} (Live)"
    return base


def artist_albums(rnd: random.Random) -> list[str]:
    albums = []
    for _ in range(rnd.randint(1, 4)):
        roll = rnd.random()
        if roll < 0.4:
            name = f"{rnd.choice(ADJ)} {rnd.choice(NOUN)}"
        elif roll < 0.6:
            name = rnd.choice(NOUN)
        elif roll < 0.75:
            name = f"{rnd.choice(NOUN)} (Deluxe Edition)"
        elif roll < 0.85:
            name = f"{rnd.choice(PHRASES)} (Remastered)"
        elif roll < 0.93:
            name = rnd.choice(EXOTIC_TRACKS)
        else:
            name = f"{rnd.choice(NOUN)}, {rnd.choice(NOUN)} & {rnd.choice(NOUN)}"
        albums.append(name)
    return albums


def album_name(
    rnd: random.Random, kind: int, albums: Sequence[str], artist: str, track: str
) -> str:
    if kind == 0:
        return rnd.choice(albums)
    if kind == 1:
        return track
    return rnd.choice(
        (
            "Greatest Hits",
            f"The Best of {artist}",
            f"Now That's What I Call Music! {rnd.randint(20, 110)}",
            f"Hits {rnd.randint(1990, 2022)}",
            f"{rnd.choice(NOUN)}: The Collection",
            f"Summer Hits, Vol. {rnd.randint(1, 9)}",
            f'"{rnd.choice(ADJ)}" - The Essential {artist}',
        )
    )


def video_title(rnd: random.Random, artist: str, track: str, official: bool) -> str:
    if official:
        forms = (
            "{a} - {t} (Official Video)",
            "{a} - {t} (Official Music Video)",
            "{a} - {t} [Official Video]",
            "{t}",
            "{a} - {t}",
            "{a} - {t} (Official Audio)",
            "{a} - {t} (Official Lyric Video)",
            "{a} | {t} (Official Video) 4K",
        )
    else:
        forms = (
            "{a} - {t} (Lyrics)",
            "{t} - {a} (Lyric Video)",
            "{a} - {t} (Audio)",
            "{a} - {t} (Live)",
            "{t} ({a}) | Lyrics",
            "{a} – {t} [Visualizer]",
            "{a} - {t} (Letra/Lyrics)",
            '"{t}" {a} (sped up)',
        )
    return rnd.choice(forms).format(a=artist, t=track)


CHANNEL_STYLE_P = (0.42, 0.38, 0.08, 0.12)  # artist name, <Artist>VEVO, "- Topic", label


def channel_name(rnd: random.Random, style: int, artist: str, official: bool) -> str:
    """Channel of a video; ``style`` is the artist's style index plus 4 x a label index."""
    if not official and rnd.random() < 0.3:
        return rnd.choice(LYRIC_CHANNELS)
    kind, label = style % 4, style // 4
    if kind == 0:
        return artist
    if kind == 1:
        return artist.replace(" ", "") + "VEVO"
    if kind == 2:
        return f"{artist} - Topic"
    return LABELS[label]


def _credits(rnd: random.Random, artist: str, slug: str, track: str, year: int) -> str:
    return (
        f"Director: {rnd.choice(FIRST)} {rnd.choice(LAST)}\n"
        f"Producers: {rnd.choice(FIRST)} {rnd.choice(LAST)}, {rnd.choice(FIRST)} {rnd.choice(LAST)}"
    )


# Optional paragraphs of a video description: (rnd, artist, artist slug, track, year) -> text.
_DESCRIPTION_BLOCKS: tuple[Callable[[random.Random, str, str, str, int], str], ...] = (
    lambda rnd, a, slug, t, y: (
        f'Listen to "{t}" here: https://{slug}.lnk.to/{rnd.getrandbits(32):08x}'
    ),
    lambda rnd, a, slug, t, y: f"Music video by {a} performing {t}. (C) {y} {rnd.choice(LABELS)}",
    lambda rnd, a, slug, t, y: (
        f"Follow {a}:\nInstagram: https://instagram.com/{slug}\n"
        f"TikTok: https://www.tiktok.com/@{slug}\nTwitter: https://twitter.com/{slug}"
    ),
    _credits,
    lambda rnd, a, slug, t, y: "Lyrics:\n" + "\n".join(rnd.sample(LYRIC_LINES, 3)),
    lambda rnd, a, slug, t, y: (
        f"{rnd.choice(EMOJI)} New music out now! {rnd.choice(EMOJI)}{rnd.choice(EMOJI)}"
    ),
    lambda rnd, a, slug, t, y: f"#{slug} #{_slug(t)} #NewMusic",
    lambda rnd, a, slug, t, y: (
        f"Subscribe for more: https://www.youtube.com/channel/UC{rnd.getrandbits(88):022x}"
    ),
)


def description(
    rnd: random.Random, artist: str, slug: str, track: str, official: bool, year: int
) -> str:
    """Multi-line video description with quotes, commas, URLs and emoji (sometimes empty)."""
    if rnd.random() < EMPTY_DESCRIPTION_P:
        return ""
    if official:
        parts = [f'Official video for "{track}" by {artist}.']
    else:
        parts = [f"{artist} - {track}, uploaded by a fan 🎧"]
    for block in rnd.sample(_DESCRIPTION_BLOCKS, rnd.randint(0, 4)):
        parts.append(block(rnd, artist, slug, track, year))
    return ("\n\n" if rnd.random() < 0.5 else "\n").join(parts)


# --------------------------------------------------------------------------------------------
# Chunk generation
# --------------------------------------------------------------------------------------------

Block = dict[str, np.ndarray]  # per-row fields of one chunk
Artists = dict[str, Any]  # per-artist fields of one chunk (arrays, and a list of album names)

TRACK_FIELDS = ("uri", "track", "album", "album_type", "audio", "key", "stream")
VIDEO_FIELDS = (
    "has_video",
    "url_youtube",
    "title",
    "channel",
    "views",
    "likes",
    "comments",
    "description",
    "licensed",
    "official",
)


def _roots(link: np.ndarray) -> np.ndarray:
    """Follow copy links (-1 = original) to the original row of every row."""
    root = np.where(link >= 0, link, np.arange(len(link)))
    while True:
        nxt = np.where(link[root] >= 0, link[root], root)
        if np.array_equal(nxt, root):
            return root
        root = nxt


class _ChunkWriter:
    """Stateful generator: draws chunks of whole artists and yields CSV rows."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.text = random.Random(int(self.rng.integers(2**62)))
        self.namer = ArtistNamer(self.text)
        self.audio_marginals = [Marginal(k) for k in AUDIO_KNOTS]
        stream_mixture, views_mixture = _count_mixtures()
        self.stream_marginal = Marginal(STREAM, stream_mixture)
        self.views_marginal = Marginal(VIEWS, views_mixture)
        self.like_ratio = Marginal(LIKE_RATIO)
        self.comment_ratio = Marginal(COMMENT_RATIO)
        self.pool: Block | None = None
        self.next_row = 0

    # -- artists ------------------------------------------------------------------------------
    def _artists(self, max_rows: int) -> tuple[Artists, np.ndarray]:
        rng = self.rng
        drawn: list[np.ndarray] = []
        while sum(int(c.sum()) for c in drawn) < max_rows:
            n_artists = -(-max_rows // TRACKS_PER_ARTIST) + 1
            drawn.append(
                np.where(
                    rng.random(n_artists) < SHORT_ARTIST_P,
                    rng.integers(1, TRACKS_PER_ARTIST, n_artists),
                    TRACKS_PER_ARTIST,
                )
            )
        counts = np.concatenate(drawn)
        ends = np.cumsum(counts)
        keep = int(np.searchsorted(ends, max_rows)) + 1
        counts = counts[:keep]
        counts[-1] -= max(0, int(counts.sum()) - max_rows)
        names = np.array([self.namer() for _ in range(keep)], dtype=object)
        latent = rng.standard_normal((keep, len(LATENT))) @ ARTIST_CHOL.T
        artists = {
            "name": names,
            "slug": np.array([_slug(name) for name in names], dtype=object),
            "url": np.array(
                ["https://open.spotify.com/artist/" + s for s in random_ids(rng, keep, 22, _B62)],
                dtype=object,
            ),
            "latent": latent,
            "official_p": _normal_cdf(
                OFFICIAL_INTERCEPT
                + OFFICIAL_LEVEL * latent[:, LATENT.index("stream")]
                + OFFICIAL_NOISE * rng.standard_normal(keep)
            ),
            "channel_style": rng.choice(4, keep, p=CHANNEL_STYLE_P)
            + 4 * rng.integers(0, len(LABELS), keep),
            "albums": [artist_albums(self.text) for _ in range(keep)],
        }
        return artists, counts

    # -- numeric blocks -----------------------------------------------------------------------
    def _audio(self, latent: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        rng = self.rng
        audio = np.column_stack(
            [marginal(latent[:, j]) for j, marginal in enumerate(self.audio_marginals)]
        )
        for j, digits in AUDIO_SIG_DIGITS.items():
            audio[:, j] = _round_sig(audio[:, j], digits)
        for j, decimals in AUDIO_DECIMALS.items():
            audio[:, j] = np.round(audio[:, j], decimals)
        tempo_zero = rng.random(n) < TEMPO_ZERO_P
        audio[tempo_zero, AUDIO.index("Tempo")] = 0.0
        audio[tempo_zero, AUDIO.index("Danceability")] = 0.0
        missing = rng.random(n) < AUDIO_MISSING_P
        audio[missing, : len(AUDIO) - 1] = np.nan  # Duration_ms stays present
        key = rng.choice(12, n, p=KEY_P).astype(float)
        key[missing] = np.nan
        return audio, key

    def _counts(self, s_lat: np.ndarray, v_lat: np.ndarray) -> Block:
        rng, n = self.rng, len(s_lat)
        stream = np.rint(self.stream_marginal(s_lat))
        stream[rng.random(n) < STREAM_MISSING_P] = np.nan
        views = np.rint(self.views_marginal(v_lat))
        views[rng.random(n) < VIEWS_ZERO_P] = 0.0
        v_std = (v_lat - self.views_marginal.mean) / self.views_marginal.std
        noise = rng.standard_normal((n, 2)) @ ENGAGEMENT_CHOL.T
        likes = np.rint(views * self.like_ratio(_engagement(v_std, noise[:, 0], RHO_LIKES_VIEWS)))
        comments = np.rint(
            views * self.comment_ratio(_engagement(v_std, noise[:, 1], RHO_COMMENTS_VIEWS))
        )
        likes[rng.random(n) < LIKES_OFF_P] = 0.0
        likes[rng.random(n) < EXTRA_LIKES_MISSING_P] = np.nan
        comments[rng.random(n) < EXTRA_COMMENTS_MISSING_P] = np.nan
        return {"stream": stream, "views": views, "likes": likes, "comments": comments}

    def _numbers(self, artists: Artists, artist: np.ndarray) -> Block:
        rng = self.rng
        n = len(artist)
        track = rng.standard_normal((n, len(LATENT))) @ TRACK_CHOL.T
        latent = (
            np.sqrt(LATENT_ARTIST_SHARE) * artists["latent"][artist]
            + np.sqrt(1.0 - LATENT_ARTIST_SHARE) * track
        )  # every column is standard normal
        k = len(AUDIO)
        album_type = rng.choice(3, n, p=ALBUM_TYPE_P)
        official = rng.random(n) < artists["official_p"][artist]
        hit = rng.random(n) < np.where(official, HIT_P[1], HIT_P[0])
        shift = np.array([STREAM_SHIFT[name] for name in ALBUM_TYPES])
        s_lat = (
            shift[album_type]
            + STREAM_OFFICIAL_SHIFT * official
            + HIT_STREAM_SHIFT * hit
            + latent[:, k]
        )
        v_lat = VIEWS_OFFICIAL_SHIFT * official + HIT_VIEWS_SHIFT * hit + latent[:, k + 1]
        audio, key = self._audio(latent[:, :k], n)
        licensed_p = np.where(official, LICENSED_GIVEN_OFFICIAL[1], LICENSED_GIVEN_OFFICIAL[0])
        return {
            "album_type": album_type,
            "audio": audio,
            "key": key,
            "official": official.astype(np.int8),
            "licensed": (rng.random(n) < licensed_p).astype(np.int8),
            "has_video": rng.random(n) >= NO_VIDEO_P,
            **self._counts(s_lat, v_lat),
        }

    # -- copies (collaborations, reused videos) -------------------------------------------
    def _links(
        self, starts: np.ndarray, artist: np.ndarray, pool_n: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Copy links in combined (pool + chunk) coordinates: track block and video block."""
        rng = self.rng
        n = len(artist)
        group_start = pool_n + starts[artist]  # rows before it belong to other artists
        available = np.minimum(group_start, POOL_ROWS)
        back = np.floor(rng.random(n) * available).astype(np.int64)
        src = group_start - 1 - back
        is_copy = (rng.random(n) < COPY_P) & (available > 0)
        copy_video = is_copy & (rng.random(n) < COPY_VIDEO_P)
        row = pool_n + np.arange(n)
        position = row - group_start
        reuse = ~is_copy & (position > 0) & (rng.random(n) < REUSE_VIDEO_P)
        same_artist = row - 1 - np.floor(rng.random(n) * np.maximum(position, 1)).astype(np.int64)
        pool_links = np.full(pool_n, -1, dtype=np.int64)
        track_link = np.concatenate([pool_links, np.where(is_copy, src, -1)])
        video_src = np.where(copy_video, src, np.where(reuse, same_artist, -1))
        video_link = np.concatenate([pool_links, video_src])
        track_root, video_root = _roots(track_link)[pool_n:], _roots(video_link)[pool_n:]
        # An artist lists a track at most once: drop copies that repeat a root within the artist.
        copied = np.flatnonzero(track_root != row)
        _, first = np.unique(
            np.stack([artist[copied], track_root[copied]], axis=1), axis=0, return_index=True
        )
        repeat = np.setdiff1d(copied, copied[first])
        track_root[repeat] = video_root[repeat] = row[repeat]
        return track_root, video_root

    def _copy(self, block: Block, fields: Sequence[str], root: np.ndarray) -> None:
        pool_n = 0 if self.pool is None else len(self.pool["uri"])
        rows = np.flatnonzero(root != pool_n + np.arange(len(root)))
        for field in fields:
            values = block[field]
            if self.pool is not None:
                values = np.concatenate([self.pool[field], values])
            block[field][rows] = values[root[rows]]

    # -- text ---------------------------------------------------------------------------------
    def _track_text(self, block: Block, artists: Artists, artist: np.ndarray) -> None:
        rnd, n = self.text, len(artist)
        names = artists["name"].tolist()
        tracks = [track_name(rnd, names) for _ in range(n)]
        kinds = block["album_type"].tolist()
        albums = [
            album_name(rnd, kind, artists["albums"][a], names[a], track)
            for kind, a, track in zip(kinds, artist.tolist(), tracks, strict=True)
        ]
        block["track"] = np.array(tracks, dtype=object)
        block["album"] = np.array(albums, dtype=object)
        block["uri"] = np.array(
            ["spotify:track:" + s for s in random_ids(self.rng, n, 22, _B62)], dtype=object
        )

    def _video_text(self, block: Block, artists: Artists, artist: np.ndarray) -> None:
        rnd, n = self.text, len(artist)
        names = artists["name"][artist].tolist()
        slugs = artists["slug"][artist].tolist()
        styles = artists["channel_style"][artist].tolist()
        official = block["official"].astype(bool).tolist()
        tracks = [t.split(" (feat.")[0] for t in block["track"].tolist()]
        years = self.rng.integers(2006, 2023, n).tolist()
        block["url_youtube"] = np.array(
            ["https://www.youtube.com/watch?v=" + s for s in random_ids(self.rng, n, 11, _B64)],
            dtype=object,
        )
        block["title"] = np.array(
            [video_title(rnd, a, t, o) for a, t, o in zip(names, tracks, official, strict=True)],
            dtype=object,
        )
        block["channel"] = np.array(
            [channel_name(rnd, s, a, o) for s, a, o in zip(styles, names, official, strict=True)],
            dtype=object,
        )
        block["description"] = np.array(
            [
                description(rnd, a, slug, t, o, y)
                for a, slug, t, o, y in zip(names, slugs, tracks, official, years, strict=True)
            ],
            dtype=object,
        )

    # -- one chunk ----------------------------------------------------------------------------
    def chunk(self, max_rows: int) -> Iterator[tuple[object, ...]]:
        artists, counts = self._artists(max_rows)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        artist = np.repeat(np.arange(len(counts)), counts)
        block = self._numbers(artists, artist)
        self._track_text(block, artists, artist)
        pool_n = 0 if self.pool is None else len(self.pool["uri"])
        track_root, video_root = self._links(starts, artist, pool_n)
        self._copy(block, TRACK_FIELDS, track_root)
        self._video_text(block, artists, artist)
        self._copy(block, VIDEO_FIELDS, video_root)
        self._keep_pool(block)
        rows = _format(block, artists, artist, self.next_row)
        self.next_row += len(artist)
        return rows

    def _keep_pool(self, block: Block) -> None:
        fields = TRACK_FIELDS + VIDEO_FIELDS
        if self.pool is None:
            merged = {f: block[f] for f in fields}
        else:
            merged = {f: np.concatenate([self.pool[f], block[f]]) for f in fields}
        self.pool = {f: merged[f][-POOL_ROWS:].copy() for f in fields}


# --------------------------------------------------------------------------------------------
# Formatting and writing
# --------------------------------------------------------------------------------------------


def _floats(values: np.ndarray, missing: np.ndarray | None = None) -> list[object]:
    """Floats as Python objects (csv writes ``repr``: ``6.0``), ``None`` (empty) where missing."""
    out = values.astype(object)
    mask = np.isnan(values) if missing is None else (missing | np.isnan(values))
    out[mask] = None
    return out.tolist()


def _texts(values: np.ndarray, missing: np.ndarray) -> list[object]:
    out = values.copy()
    out[missing] = ""
    return out.tolist()


def _flags(values: np.ndarray, missing: np.ndarray) -> list[str]:
    return np.where(missing, "", np.where(values.astype(bool), "True", "False")).tolist()


def _format(
    block: Block,
    artists: Artists,
    artist: np.ndarray,
    first_row: int,
) -> Iterator[tuple[object, ...]]:
    n = len(artist)
    no_video = ~block["has_video"]
    audio = block["audio"]
    columns: list[list[object]] = [
        list(range(first_row, first_row + n)),
        artists["name"][artist].tolist(),
        artists["url"][artist].tolist(),
        block["track"].tolist(),
        block["album"].tolist(),
        np.array(ALBUM_TYPES, dtype=object)[block["album_type"]].tolist(),
        block["uri"].tolist(),
        _floats(audio[:, 0]),  # Danceability
        _floats(audio[:, 1]),  # Energy
        _floats(block["key"]),
        _floats(audio[:, 2]),  # Loudness
        _floats(audio[:, 3]),  # Speechiness
        _floats(audio[:, 4]),  # Acousticness
        _floats(audio[:, 5]),  # Instrumentalness
        _floats(audio[:, 6]),  # Liveness
        _floats(audio[:, 7]),  # Valence
        _floats(audio[:, 8]),  # Tempo
        _floats(audio[:, 9]),  # Duration_ms
        _texts(block["url_youtube"], no_video),
        _texts(block["title"], no_video),
        _texts(block["channel"], no_video),
        _floats(block["views"], no_video),
        _floats(block["likes"], no_video),
        _floats(block["comments"], no_video),
        _texts(block["description"], no_video),
        _flags(block["licensed"], no_video),
        _flags(block["official"], no_video),
        _floats(block["stream"]),
    ]
    return zip(*columns, strict=True)


def generate(rows: int, seed: int, out: Path, progress: bool = False) -> int:
    """Write ``rows`` synthetic data rows (plus the header) to ``out``; return the row count.

    Deterministic: the same ``rows`` and ``seed`` give a byte-identical file. The file is written
    to a temporary sibling and renamed into place, so readers never see a partial file.
    """
    if rows < 0:
        raise ValueError(f"rows must be >= 0, got {rows}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with tmp.open("x", encoding="utf-8", newline="", buffering=1 << 20) as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
            writer.writerow(HEADER)
            state = _ChunkWriter(seed)
            written, reported = 0, 0
            while written < rows:
                chunk_rows = min(CHUNK_ROWS, rows - written)
                writer.writerows(state.chunk(chunk_rows))
                written += chunk_rows
                if progress and written * 10 // rows > reported:  # every 10%
                    reported = written * 10 // rows
                    print(
                        f"synthetic: {written:,}/{rows:,} rows ({written / rows:.0%})",
                        file=sys.stderr,
                        flush=True,
                    )
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write a seeded synthetic Spotify_Youtube.csv (the Kaggle layout)."
    )
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="data rows (%(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (%(default)s)")
    parser.add_argument("--out", type=Path, required=True, help="CSV path to write")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    if args.rows < 0:
        parser.error("--rows must be >= 0")
    count = generate(args.rows, args.seed, args.out, progress=not args.quiet)
    if not args.quiet:
        print(f"synthetic: wrote {count:,} rows to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
