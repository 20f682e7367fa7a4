"""Layout of the synthetic file: the raw file's header and how each value is written.

The header is the one the raw-input check requires (``REQUIRED_COLUMNS``, 28 columns, the first
one - the row index - with an empty header). Values are written as in the real file: floats as
``6.0``, flags as ``True``/``False``, empty fields for missing values (the whole YouTube block
when a track has no video); ``csv.writer`` quotes the multi-line descriptions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from ml.runtime.raw_input import REQUIRED_COLUMNS
from ml.synthetic.profile import ALBUM_TYPES, AUDIO

HEADER: list[str] = list(REQUIRED_COLUMNS)

# File column -> field of the chunk (the YouTube block's text, empty without a video).
_VIDEO_TEXT = {
    "Url_youtube": "url_youtube",
    "Title": "title",
    "Channel": "channel",
    "Description": "description",
}
_VIDEO_COUNTS = {"Views": "views", "Likes": "likes", "Comments": "comments"}
_VIDEO_FLAGS = {"Licensed": "licensed", "official_video": "official"}


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


def format_rows(block: Mapping[str, np.ndarray], first_row: int) -> Iterator[tuple[object, ...]]:
    """CSV rows (fields in HEADER order) of a chunk's per-row fields, numbered from first_row."""
    n = len(block["track"])
    no_video = ~block["has_video"]
    audio = block["audio"]
    columns: dict[str, list[object]] = {
        HEADER[0]: list(range(first_row, first_row + n)),
        "Artist": block["artist"].tolist(),
        "Url_spotify": block["url_spotify"].tolist(),
        "Track": block["track"].tolist(),
        "Album": block["album"].tolist(),
        "Album_type": np.array(ALBUM_TYPES, dtype=object)[block["album_type"]].tolist(),
        "Uri": block["uri"].tolist(),
        "Key": _floats(block["key"]),
        "Stream": _floats(block["stream"]),
        **{name: _floats(audio[:, j]) for j, name in enumerate(AUDIO)},
        **{name: _texts(block[field], no_video) for name, field in _VIDEO_TEXT.items()},
        **{name: _floats(block[field], no_video) for name, field in _VIDEO_COUNTS.items()},
        **{name: _flags(block[field], no_video) for name, field in _VIDEO_FLAGS.items()},
    }
    if len(columns) != len(HEADER):
        raise ValueError(f"{len(columns)} columns formatted for a {len(HEADER)}-column header")
    return zip(*(columns[name] for name in HEADER), strict=True)
