"""Reading the modelling set and the tracks to predict from the marts, and the train/test split."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupShuffleSplit, train_test_split

from ml.modeling.specs import (
    ALBUM_FEATURE,
    ARTIST_FEATURE,
    CATALOG_COUNTS,
    HIT_CLASSIFIER,
    TITLE_FLAGS,
    TRACK_MARKERS,
)
from ml.runtime.errors import PipelineError
from ml.runtime.warehouse import connect, session, table_exists

MODELLING_RELATION = "marts.model_features"
TRACKS_RELATION = "marts.tracks"
# Columns of marts.tracks the models read (the same names as in marts.model_features).
PREDICTION_COLUMNS: tuple[str, ...] = (
    "uri", "row_id", "artist", "album_type", "danceability", "energy", "key", "loudness",
    "speechiness", "acousticness", "instrumentalness", "liveness", "valence", "tempo",
    "duration_minutes", "audio_positivity", "audio_complexity", "youtube_engagement",
    "log_views", "log_likes", "log_comments", "has_youtube_video", "official_video", "licensed",
    "log_streams",
    *TITLE_FLAGS, *TRACK_MARKERS, ALBUM_FEATURE, *CATALOG_COUNTS,
)  # fmt: skip
MIN_MODELLING_ROWS = 50


@dataclass
class ModellingData:
    """The modelling rows (one per uri), split by uri; `total_rows` before any sampling cap.
    `new_artist_train` / `new_artist_test`: the same rows split by artist (split_by_artist)."""

    train: pd.DataFrame
    test: pd.DataFrame
    total_rows: int
    new_artist_train: pd.DataFrame | None = None
    new_artist_test: pd.DataFrame | None = None

    @property
    def sampled(self) -> bool:
        return len(self.train) + len(self.test) < self.total_rows


# The training sample, drawn in DuckDB (no uri list in Python): the max_rows uris with the smallest
# md5 of "<uri>#<seed>", i.e. a seeded uniform sample without replacement that depends only on the
# set of uris and the seed (not on file order, thread count or DuckDB's internal hash), ordered by
# uri like the full set. In Python: the uris sorted by (int.from_bytes(md5(f"{uri}#{seed}"),
# "little"), uri), first max_rows (tests/modeling/test_dataset.py checks the two agree).
SAMPLE_QUERY = """
with chosen as (
    select uri from {relation}
    order by md5_number(uri || '#' || cast($seed as varchar)), uri
    limit $rows
)
select modelling.* from {relation} as modelling semi join chosen using (uri)
order by modelling.uri
"""


def load_modelling_frame(
    warehouse_path: Path, *, max_rows: int | None, random_state: int
) -> tuple[pd.DataFrame, int]:
    """marts.model_features ordered by uri; a seeded uniform sample of max_rows uris if larger
    (SAMPLE_QUERY)."""
    with session(warehouse_path, read_only=True) as connection:
        if not table_exists(connection, *MODELLING_RELATION.split(".")):
            raise PipelineError(
                f"{MODELLING_RELATION} is missing from warehouse {warehouse_path}",
                step="train",
                hint="run `python -m ml build` (or `make run`) first",
            )
        total = connection.execute(f"select count(*) from {MODELLING_RELATION}").fetchone()[0]
        if max_rows is not None and total > max_rows:
            frame = connection.execute(
                SAMPLE_QUERY.format(relation=MODELLING_RELATION),
                {"seed": random_state, "rows": max_rows},
            ).df()
        else:
            frame = connection.execute(f"select * from {MODELLING_RELATION} order by uri").df()
    if frame["uri"].duplicated().any():
        raise PipelineError(
            f"{MODELLING_RELATION} has duplicate uris: the split by track would leak",
            step="train",
        )
    if len(frame) < MIN_MODELLING_ROWS:
        raise PipelineError(
            f"{MODELLING_RELATION} has only {len(frame)} rows; at least {MIN_MODELLING_ROWS} "
            "distinct tracks with known streams are needed to train and evaluate",
            step="train",
            hint="check marts.row_fate for why rows were quarantined, de-duplicated or dropped",
        )
    return frame, int(total)


def split_by_track(
    frame: pd.DataFrame, *, test_size: float, random_state: int, total_rows: int
) -> ModellingData:
    """80/20 (test_size) split of distinct tracks, stratified on the hit label (the known-artist
    split: most test tracks have catalog artists), and the split by artist beside it."""
    labels = frame[HIT_CLASSIFIER.target].astype(bool)
    stratify = labels if labels.value_counts().min() >= 2 else None
    train, test = train_test_split(
        frame, test_size=test_size, random_state=random_state, stratify=stratify
    )
    new_artist_train, new_artist_test = split_by_artist(
        frame, test_size=test_size, random_state=random_state
    )
    return ModellingData(
        train=train.reset_index(drop=True),
        test=test.reset_index(drop=True),
        total_rows=total_rows,
        new_artist_train=new_artist_train,
        new_artist_test=new_artist_test,
    )


def artist_keys(frame: pd.DataFrame) -> pd.Series:
    """The artist of each row as the models see it (features.model_input: unknown -> a label)."""
    artist = frame[ARTIST_FEATURE]
    return artist.astype("object").where(artist.notna(), "(unknown)").astype(str)


class KeySet:
    """A set of string keys (artists, uris) for is_in, built once; its Arrow array too, when a
    batch's strings are Arrow-backed (pyarrow is optional: pandas uses it when installed)."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = frozenset(keys)

    @cached_property
    def arrow(self) -> Any:
        import pyarrow as pa

        return pa.array(sorted(self.keys), type=pa.large_string())


def is_in(values: pd.Series, keys: KeySet) -> np.ndarray:
    """values.isin(keys) as a bool array. For Arrow-backed strings through Arrow's hash lookup:
    pandas' isin of such a column rebuilds its value set scalar by scalar on every call, which
    per 200k-row prediction batch held the GIL for 0.46 s (0.04 s this way; 46 batches at 10M)."""
    if getattr(values.dtype, "storage", None) == "pyarrow" or isinstance(
        values.dtype, pd.ArrowDtype
    ):
        import pyarrow as pa
        import pyarrow.compute as pc

        array = pa.array(values, from_pandas=True)
        value_set = keys.arrow
        if array.type != value_set.type:
            value_set = value_set.cast(array.type)
        return pc.is_in(array, value_set=value_set).to_numpy(zero_copy_only=False)
    return values.isin(keys.keys).to_numpy(dtype=bool)


def split_by_artist(
    frame: pd.DataFrame, *, test_size: float, random_state: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train / test of the same modelling rows grouped by artist (GroupShuffleSplit, seeded):
    every track of a test artist is in the test part, so test artists are unseen in training.
    test_size is the share of ARTISTS held out."""
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=random_state)
    train_index, test_index = next(splitter.split(frame, groups=artist_keys(frame)))
    return (
        frame.iloc[np.sort(train_index)].reset_index(drop=True),
        frame.iloc[np.sort(test_index)].reset_index(drop=True),
    )


def iter_tracks(warehouse_path: Path, *, batch_rows: int) -> Iterator[pd.DataFrame]:
    """Every distinct track of marts.tracks (labelled or not), in batches, in the table's stored
    order (deterministic for a given warehouse). Not sorted by row_id: nothing reads
    ml.predictions in order, and at 10M tracks the sort held every wide row in memory first
    (at 1M: 1.9 -> 1.3 s of CPU to read all batches)."""
    vectors = max(1, batch_rows // 2048)
    connection = connect(warehouse_path, read_only=True)
    try:
        result = connection.execute(
            f"select {', '.join(PREDICTION_COLUMNS)}, "
            "coalesce(not is_outlier and stream is not null, false) as is_modelling_track "
            f"from {TRACKS_RELATION}"
        )
        while True:
            chunk = result.fetch_df_chunk(vectors)
            if chunk.empty:
                break
            yield chunk
    finally:
        connection.close()
