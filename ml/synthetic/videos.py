"""Video text of the synthetic file: titles, channels and multi-line descriptions.

Descriptions hold quotes, commas, URLs, newlines and emoji, as the real ones do.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from ml.synthetic.names import FIRST, LAST, POOLS, slugify
from ml.synthetic.profile import EMPTY_DESCRIPTION_P

LABELS, LYRIC_CHANNELS, LYRIC_LINES = (
    POOLS[pool] for pool in ("label", "lyric_channel", "lyric_line")
)
EMOJI = ("🔥", "🎧", "✨", "💜", "🎶", "🚀", "❤️", "🌙", "👀", "🙏")


# Title forms by type (profile.TITLE_TYPES order after "plain", then "official video").
_TITLE_FORMS: tuple[tuple[str, ...], ...] = (
    ("{t}", "{a} - {t}", '"{t}" {a} (sped up)', "{t} ({a}) | HD", "{a} | {t} 4K", "{a} – {t}"),
    ("{a} - {t} (Lyrics)", "{t} - {a} (Lyric Video)", "{a} - {t} (Official Lyric Video)",
     "{a} - {t} (Letra/Lyrics)", "{t} ({a}) | Lyrics"),
    ("{a} - {t} (Official Audio)", "{a} - {t} (Audio)", "{t} [Audio]", "{a} - {t} (Audio Oficial)"),
    ("{a} - {t} (Live)", "{a} - {t} LIVE at {v}", "{t} - Live from {v}"),
    ("{a} – {t} [Visualizer]", "{a} - {t} (Official Visualiser)", "{t} (Visualizer)"),
    ("{a} - {t} (Official Video)", "{a} - {t} (Official Music Video)", "{a} - {t} [Official Video]",
     "{a} | {t} (Official Video) 4K"),
)  # fmt: skip
VENUES = ("Wembley", "Glastonbury", "Madison Square Garden", "Red Rocks", "the BBC")


def video_title(rnd: random.Random, artist: str, track: str, kind: int) -> str:
    """A video title of type `kind` (0 plain, then profile.TITLE_TYPES, last "official video")."""
    return rnd.choice(_TITLE_FORMS[kind]).format(a=artist, t=track, v=rnd.choice(VENUES))


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
    lambda rnd, a, slug, t, y: f"#{slug} #{slugify(t)} #NewMusic",
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
