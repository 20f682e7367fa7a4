"""Chunks of the synthetic file: whole artists, their tracks, videos and collaborations.

A latent *artist* effect (stream level, view level, sound, official-video propensity) makes
tracks of one artist alike. Official videos go with bigger artists (the propensity rises with
the artist's stream level). About 9% of rows are a collaboration: a second listing of a recent
track of another artist (same Uri, Track, Album, audio, Stream; usually the same video). Sources
come from a bounded pool of recent rows, so memory does not grow with the file.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ml.synthetic.layout import format_rows
from ml.synthetic.marginals import Block, TrackNumbers, official_propensity
from ml.synthetic.names import (
    BASE62,
    BASE64URL,
    ArtistNamer,
    album_name,
    artist_albums,
    random_ids,
    slugify,
    track_name,
)
from ml.synthetic.profile import (
    ALBUM_CHOL,
    ALBUM_SLOTS,
    ARTIST_CHOL,
    CHANNEL_STYLE_P,
    COPY_P,
    COPY_VIDEO_P,
    LATENT,
    REUSE_VIDEO_P,
    SHORT_ARTIST_P,
    TRACK_MARKER_TYPES,
    TRACKS_PER_ARTIST,
)
from ml.synthetic.videos import LABELS, channel_name, description, video_title

POOL_ROWS = 2_000  # recent rows a collaboration may copy from (bounds memory)

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


class ChunkGenerator:
    """Stateful generator: draws chunks of whole artists and yields CSV rows."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.text = random.Random(int(self.rng.integers(2**62)))
        self.namer = ArtistNamer(self.text)
        self.numbers = TrackNumbers(self.rng)
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
            "slug": np.array([slugify(name) for name in names], dtype=object),
            "url": np.array(
                ["https://open.spotify.com/artist/" + s for s in random_ids(rng, keep, 22, BASE62)],
                dtype=object,
            ),
            "latent": latent,
            "official_p": official_propensity(
                latent[:, LATENT.index("stream")], rng.standard_normal(keep)
            ),
            "channel_style": rng.choice(4, keep, p=CHANNEL_STYLE_P)
            + 4 * rng.integers(0, len(LABELS), keep),
            "albums": [artist_albums(self.text) for _ in range(keep)],
            # (stream, views) effect of each album slot of the artist (profile.ALBUM_TRACK_SHARE)
            "album_z": rng.standard_normal((keep, ALBUM_SLOTS, 2)) @ ALBUM_CHOL.T,
        }
        return artists, counts

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
        markers = [None, *(name for name, _, _, _ in TRACK_MARKER_TYPES)]
        tracks = [track_name(rnd, names, markers[m]) for m in block["marker"].tolist()]
        kinds = block["album_type"].tolist()
        albums = [
            album_name(rnd, kind, artists["albums"][a], names[a], track, slot)
            for kind, a, track, slot in zip(
                kinds, artist.tolist(), tracks, block["album_slot"].tolist(), strict=True
            )
        ]
        block["track"] = np.array(tracks, dtype=object)
        block["album"] = np.array(albums, dtype=object)
        block["uri"] = np.array(
            ["spotify:track:" + s for s in random_ids(self.rng, n, 22, BASE62)], dtype=object
        )

    def _video_text(self, block: Block, artists: Artists, artist: np.ndarray) -> None:
        rnd, n = self.text, len(artist)
        names = artists["name"][artist].tolist()
        slugs = artists["slug"][artist].tolist()
        styles = artists["channel_style"][artist].tolist()
        kinds = block["title_kind"].tolist()
        tracks = [t.split(" (feat.")[0] for t in block["track"].tolist()]
        official = block["official"].astype(bool).tolist()
        years = self.rng.integers(2006, 2023, n).tolist()
        block["url_youtube"] = np.array(
            [
                "https://www.youtube.com/watch?v=" + s
                for s in random_ids(self.rng, n, 11, BASE64URL)
            ],
            dtype=object,
        )
        block["title"] = np.array(
            [video_title(rnd, a, t, k) for a, t, k in zip(names, tracks, kinds, strict=True)],
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
        """The next ``max_rows`` rows (whole artists; the last one may be cut), as CSV fields."""
        artists, counts = self._artists(max_rows)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        artist = np.repeat(np.arange(len(counts)), counts)
        n_albums = np.array([len(albums) for albums in artists["albums"]])[artist]
        slot = self.rng.integers(0, ALBUM_SLOTS, len(artist)) % n_albums
        block = self.numbers.draw(
            artists["latent"][artist],
            artists["official_p"][artist],
            artists["album_z"][artist, slot],
        )
        block["album_slot"] = slot
        self._track_text(block, artists, artist)
        pool_n = 0 if self.pool is None else len(self.pool["uri"])
        track_root, video_root = self._links(starts, artist, pool_n)
        self._copy(block, TRACK_FIELDS, track_root)
        self._video_text(block, artists, artist)
        self._copy(block, VIDEO_FIELDS, video_root)
        self._keep_pool(block)
        block["artist"] = artists["name"][artist]
        block["url_spotify"] = artists["url"][artist]
        rows = format_rows(block, self.next_row)
        self.next_row += len(artist)
        return rows

    def _keep_pool(self, block: Block) -> None:
        fields = TRACK_FIELDS + VIDEO_FIELDS
        if self.pool is None:
            merged = {f: block[f] for f in fields}
        else:
            merged = {f: np.concatenate([self.pool[f], block[f]]) for f in fields}
        self.pool = {f: merged[f][-POOL_ROWS:].copy() for f in fields}
