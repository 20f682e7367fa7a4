"""Writing the synthetic file: chunks streamed to a temporary file, progress, the CLI.

Rows are generated one chunk of whole artists at a time (bounded memory at any size), streamed
to a temporary sibling with ``csv.writer`` and renamed into place at the end.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import sys
from pathlib import Path

from ml.config import DEFAULT_GENERATED_ROWS, DEFAULT_SEED
from ml.synthetic.chunks import ChunkGenerator
from ml.synthetic.layout import HEADER

CHUNK_ROWS = 50_000  # rows per vectorised chunk (whole artists; the last one may be cut)


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
            chunks = ChunkGenerator(seed)
            written, reported = 0, 0
            while written < rows:
                chunk_rows = min(CHUNK_ROWS, rows - written)
                writer.writerows(chunks.chunk(chunk_rows))
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
    parser.add_argument(
        "--rows", type=int, default=DEFAULT_GENERATED_ROWS, help="data rows (%(default)s)"
    )
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
