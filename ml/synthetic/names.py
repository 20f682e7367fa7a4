"""Names of the synthetic file: artists, tracks, albums, ids.

The word pools (``vocabulary.txt``, shared with ``videos``) mix ASCII with accented, Nordic,
Japanese and Korean names and a few emoji, and the names carry commas and quotes: the CSV traps
of the real file. ``ArtistNamer`` yields unique artist names without remembering the ones used.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

VOCABULARY = Path(__file__).with_name("vocabulary.txt")


def read_pools(path: Path) -> dict[str, tuple[str, ...]]:
    """The pools of a vocabulary file: a line ``[name]`` opens a pool, each line below is an entry.

    Entries are stripped; blank lines and lines starting with ``#`` are skipped.
    """
    pools: dict[str, list[str]] = {}
    entries: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            entries = pools.setdefault(line[1:-1], [])
        else:
            entries.append(line)
    return {name: tuple(entries) for name, entries in pools.items()}


POOLS = read_pools(VOCABULARY)


def _words(pool: str) -> tuple[str, ...]:
    return tuple(word for entry in POOLS[pool] for word in entry.split())


FIRST, LAST, ADJ, NOUN, NORDIC, SYLLABLES, PREFIXES = (
    _words(pool) for pool in ("first", "last", "adjective", "noun", "nordic", "syllable", "prefix")
)
JP_FAMILY, JP_GIVEN, KR_FAMILY, KR_GIVEN = (
    _words(pool) for pool in ("jp_family", "jp_given", "kr_family", "kr_given")
)
PHRASES, EXOTIC_TRACKS, COMMA_TRACKS = (
    POOLS[pool] for pool in ("phrase", "exotic_track", "comma_track")
)
ENDINGS = ("", "a", "o", "n", "x", "y", "e", "i", "ah", "ix")

BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", np.uint8)
BASE64URL = np.frombuffer(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", np.uint8
)


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


def slugify(name: str) -> str:
    text = re.sub(r"[^a-z0-9]", "", name.lower())
    return text or "official"


Ladder = tuple[tuple[float, Callable[[random.Random], str]], ...]  # (bound, maker), bounds rising

# Base of a track name: the first maker whose bound is above a uniform roll.
_TRACK_BASES: Ladder = (
    (0.05, lambda rnd: rnd.choice(EXOTIC_TRACKS)),
    (0.08, lambda rnd: rnd.choice(COMMA_TRACKS)),
    (0.095, lambda rnd: f'The "{rnd.choice(NOUN)}" Song'),
    (0.45, lambda rnd: rnd.choice(PHRASES)),
    (0.75, lambda rnd: f"{rnd.choice(ADJ)} {rnd.choice(NOUN)}"),
    (1.0, lambda rnd: rnd.choice(NOUN)),
)
# Name of one of an artist's albums.
_ALBUMS: Ladder = (
    (0.4, lambda rnd: f"{rnd.choice(ADJ)} {rnd.choice(NOUN)}"),
    (0.6, lambda rnd: rnd.choice(NOUN)),
    (0.75, lambda rnd: f"{rnd.choice(NOUN)} (Deluxe Edition)"),
    (0.85, lambda rnd: f"{rnd.choice(PHRASES)} (Remastered)"),
    (0.93, lambda rnd: rnd.choice(EXOTIC_TRACKS)),
    (1.0, lambda rnd: f"{rnd.choice(NOUN)}, {rnd.choice(NOUN)} & {rnd.choice(NOUN)}"),
)


def _climb(rnd: random.Random, ladder: Ladder) -> str:
    """Draw one roll and run the first maker whose bound is above it."""
    roll = rnd.random()
    for bound, make in ladder:
        if roll < bound:
            return make(rnd)
    raise AssertionError("a ladder ends with bound 1.0")


# Track-name forms of the markers of profile.TRACK_MARKER_TYPES (in that order).
_MARKED_TRACKS: dict[str, tuple[str, ...]] = {
    "featuring": ("{b} (feat. {o})", "{b} (with {o})", "{b} ft. {o}"),
    "remix": ("{b} - {o} Remix", "{b} (Club Remix)", "{b} - Remix"),
    "remaster": ("{b} - Remastered {y}", "{b} - {y} Remaster", "{b} (Remastered)"),
    "live": ("{b} (Live)", "{b} - Live at {n}", "{b} - Live"),
    "radio_edit": ("{b} - Radio Edit",),
}


def track_name(rnd: random.Random, other_artists: Sequence[str], marker: str | None) -> str:
    """A track name, with the form of `marker` (a key of _MARKED_TRACKS) or plain (None)."""
    base = _climb(rnd, _TRACK_BASES)
    if marker is None:
        return base
    form = rnd.choice(_MARKED_TRACKS[marker])
    return form.format(
        b=base, o=rnd.choice(other_artists), y=rnd.randint(1997, 2022), n=rnd.choice(NOUN)
    )


def artist_albums(rnd: random.Random) -> list[str]:
    return [_climb(rnd, _ALBUMS) for _ in range(rnd.randint(1, 4))]


def album_name(
    rnd: random.Random, kind: int, albums: Sequence[str], artist: str, track: str, slot: int
) -> str:
    """The album of a track: the artist's album number `slot` (modulo its albums) for an album,
    the track itself for a single, a compilation name otherwise."""
    if kind == 0:
        return albums[slot % len(albums)]
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
