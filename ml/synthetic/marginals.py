"""Numbers of the synthetic file: quantile functions applied to Gaussian latents.

Every marginal is a quantile function: the measured quantile knots (``profile``) interpolated
linearly in normal-score space (in log10 space for counts and skewed features), applied to a
Gaussian latent, i.e. a Gaussian copula. Latents that carry a group shift (album type, official
video, hit) are mapped through the exact mixture CDF so that the overall marginal stays
calibrated. ``TrackNumbers`` draws the numeric fields of a chunk of tracks: audio features, key,
album type, flags and the counts (Stream, Views, Likes, Comments).
"""

from __future__ import annotations

import math

import numpy as np

from ml.synthetic.profile import (
    ALBUM_CHOL,
    ALBUM_TRACK_SHARE,
    ALBUM_TYPE_P,
    ALBUM_TYPES,
    AUDIO,
    AUDIO_DECIMALS,
    AUDIO_KNOTS,
    AUDIO_MISSING_P,
    AUDIO_SIG_DIGITS,
    COMMENT_RATIO,
    ENGAGEMENT_CHOL,
    EXTRA_COMMENTS_MISSING_P,
    EXTRA_LIKES_MISSING_P,
    HIT_P,
    HIT_STREAM_SHIFT,
    HIT_VIEWS_SHIFT,
    ICC_STREAM,
    ICC_VIEWS,
    KEY_P,
    LATENT,
    LATENT_ARTIST_SHARE,
    LICENSED_GIVEN_OFFICIAL,
    LIKE_RATIO,
    LIKES_OFF_P,
    ND,
    NO_VIDEO_P,
    OFFICIAL_INTERCEPT,
    OFFICIAL_LEVEL,
    OFFICIAL_NOISE,
    RHO_ARTIST_SV,
    RHO_COMMENTS_VIEWS,
    RHO_LIKES_VIEWS,
    STREAM,
    STREAM_MISSING_P,
    STREAM_OFFICIAL_SHIFT,
    STREAM_SHIFT,
    TEMPO_ZERO_P,
    TITLE_OFFICIAL_GIVEN_OFFICIAL,
    TITLE_TYPES,
    TRACK_CHOL,
    TRACK_MARKER_TYPES,
    VIEWS,
    VIEWS_OFFICIAL_SHIFT,
    VIEWS_ZERO_P,
    Knots,
    centred_shifts,
)

Block = dict[str, np.ndarray]  # per-row fields of one chunk
Mixture = tuple[np.ndarray, np.ndarray, np.ndarray]  # (weights, means, sds) of normal parts

Z_TAIL = 4.5  # the min / max of a marginal sit at this normal score (p ~ 3.4e-6)
LEVEL_NODES = 49  # quadrature nodes (step 0.25): values within 1e-4 dex of a 10x finer grid

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


def normal_cdf_sf(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standard normal CDF and survival function, each accurate in its own small tail."""
    x = np.abs(z) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.5 * x)
    poly = np.zeros_like(t)
    for coef in reversed(_ERFC_COEF):
        poly = poly * t + coef
    tail = 0.5 * t * np.exp(poly - x * x)  # P(Z > |z|)
    return np.where(z < 0, tail, 1.0 - tail), np.where(z < 0, 1.0 - tail, tail)


def normal_cdf(z: np.ndarray) -> np.ndarray:
    return normal_cdf_sf(z)[0]


class Marginal:
    """Maps a latent (standard normal, or a normal mixture) to values with the given knots.

    ``mixture`` is ``(weights, means, sds)``: the latent's distribution is the mixture of
    ``N(means[i], sds[i]**2)`` with those weights; the latent is mapped through the mixture CDF
    and then through the knots, so the values have the calibrated marginal whatever the mixture.
    """

    def __init__(self, knots: Knots, mixture: Mixture | None = None):
        z_knots = np.array([-Z_TAIL, *(ND.inv_cdf(p) for p in knots.probs), Z_TAIL])
        v_knots = np.array([knots.lo, *knots.values, knots.hi], dtype=float)
        if knots.log:
            v_knots = np.log10(v_knots)
        self.log = knots.log
        self.zero_below = ND.inv_cdf(knots.zero_below) if knots.zero_below else None
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
            part_cdf, part_sf = normal_cdf_sf((self.x[:, None] - means[part]) / sds[part])
            cdf += part_cdf @ weights[part]
            sf += part_sf @ weights[part]
        lower = np.clip(np.minimum(cdf, sf), 1e-15, 0.5)
        scores = np.array([ND.inv_cdf(float(p)) for p in lower])
        scores = np.where(cdf <= sf, scores, -scores)
        self.y = np.interp(scores, z_knots, v_knots)

    def __call__(self, latent: np.ndarray) -> np.ndarray:
        values = np.interp(latent, self.x, self.y)
        if self.log:
            values = 10.0**values
        if self.zero_below is not None:
            values[latent < self.zero_below] = 0.0
        return values


def official_propensity(level: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """An artist's P(official video) from its standardised stream level and its own noise."""
    return normal_cdf(OFFICIAL_INTERCEPT + OFFICIAL_LEVEL * level + OFFICIAL_NOISE * noise)


def _official_given_level(level: np.ndarray) -> np.ndarray:
    """P(official video | the artist's standardised stream level), propensity noise averaged."""
    return normal_cdf(
        (OFFICIAL_INTERCEPT + OFFICIAL_LEVEL * level) / math.sqrt(1.0 + OFFICIAL_NOISE**2)
    )


def count_mixtures() -> tuple[Mixture, Mixture]:
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


def round_sig(values: np.ndarray, digits: int) -> np.ndarray:
    """Round to significant digits (by dividing by a power of ten, so repr stays short)."""
    safe = np.where(values > 0, values, 1.0)
    decimals = digits - 1 - np.floor(np.log10(safe)).astype(int)
    scale = 10.0 ** np.abs(decimals)
    up = np.rint(values * scale) / scale
    down = np.rint(values / scale) * scale
    return np.where(values > 0, np.where(decimals >= 0, up, down), values)


class TrackNumbers:
    """Draws the numeric fields of tracks from their artists' latents (shared ``rng``).

    Likes and Comments are Views times an engagement ratio drawn from the measured ratio
    quantiles, correlated (negatively) with the view latent.
    """

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.audio_marginals = [Marginal(knots) for knots in AUDIO_KNOTS.values()]
        stream_mixture, views_mixture = count_mixtures()
        self.stream_marginal = Marginal(STREAM, stream_mixture)
        self.views_marginal = Marginal(VIEWS, views_mixture)
        self.like_ratio = Marginal(LIKE_RATIO)
        self.comment_ratio = Marginal(COMMENT_RATIO)

    def _audio(self, latent: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        rng = self.rng
        audio = np.column_stack(
            [marginal(latent[:, j]) for j, marginal in enumerate(self.audio_marginals)]
        )
        for name, digits in AUDIO_SIG_DIGITS.items():
            j = AUDIO.index(name)
            audio[:, j] = round_sig(audio[:, j], digits)
        for name, decimals in AUDIO_DECIMALS.items():
            j = AUDIO.index(name)
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

    def draw(self, artist_latent: np.ndarray, official_p: np.ndarray, album_z: np.ndarray) -> Block:
        """Fields of one row per entry of ``artist_latent`` / ``official_p`` (its artist's);
        ``album_z``: the (stream, views) effect of the row's album slot, used when the row is on
        an album (a single or compilation gets its own draw), ALBUM_TRACK_SHARE of the track
        part of the latent. Also the row's video-title type and track-name marker (indexes into
        profile.TITLE_TYPES / TRACK_MARKER_TYPES, 0 = none) with their shifts."""
        rng = self.rng
        n = len(artist_latent)
        track = rng.standard_normal((n, len(LATENT))) @ TRACK_CHOL.T
        album_type = rng.choice(3, n, p=ALBUM_TYPE_P)
        own = rng.standard_normal((n, 2)) @ ALBUM_CHOL.T
        album_z = np.where((album_type == 0)[:, None], album_z, own)
        counts = [len(AUDIO), len(AUDIO) + 1]
        track[:, counts] = (
            math.sqrt(1.0 - ALBUM_TRACK_SHARE) * track[:, counts]
            + math.sqrt(ALBUM_TRACK_SHARE) * album_z
        )
        latent = (
            np.sqrt(LATENT_ARTIST_SHARE) * artist_latent
            + np.sqrt(1.0 - LATENT_ARTIST_SHARE) * track
        )  # every column is standard normal
        k = len(AUDIO)
        official = rng.random(n) < official_p
        title_p, title_views, title_streams = centred_shifts(TITLE_TYPES)
        title_kind = rng.choice(len(title_p), n, p=title_p)
        official_title = (
            (title_kind == 0) & official & (rng.random(n) < TITLE_OFFICIAL_GIVEN_OFFICIAL)
        )
        marker_p, marker_views, marker_streams = centred_shifts(TRACK_MARKER_TYPES)
        marker = rng.choice(len(marker_p), n, p=marker_p)
        hit = rng.random(n) < np.where(official, HIT_P[1], HIT_P[0])
        shift = np.array([STREAM_SHIFT[name] for name in ALBUM_TYPES])
        s_lat = (
            shift[album_type]
            + STREAM_OFFICIAL_SHIFT * official
            + HIT_STREAM_SHIFT * hit
            + title_streams[title_kind]
            + marker_streams[marker]
            + latent[:, k]
        )
        v_lat = (
            VIEWS_OFFICIAL_SHIFT * official
            + HIT_VIEWS_SHIFT * hit
            + title_views[title_kind]
            + marker_views[marker]
            + latent[:, k + 1]
        )
        audio, key = self._audio(latent[:, :k], n)
        licensed_p = np.where(official, LICENSED_GIVEN_OFFICIAL[1], LICENSED_GIVEN_OFFICIAL[0])
        return {
            "album_type": album_type,
            "audio": audio,
            "key": key,
            "official": official.astype(np.int8),
            "licensed": (rng.random(n) < licensed_p).astype(np.int8),
            "has_video": rng.random(n) >= NO_VIDEO_P,
            # title type: 0 plain, 1.. TITLE_TYPES, len(TITLE_TYPES) + 1 an "official video"
            "title_kind": np.where(official_title, len(TITLE_TYPES) + 1, title_kind),
            "marker": marker,
            **self._counts(s_lat, v_lat),
        }
