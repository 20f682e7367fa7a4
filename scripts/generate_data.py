"""Write the seeded synthetic Spotify_Youtube.csv.

Usage: python scripts/generate_data.py --rows N --seed S --out PATH [--quiet]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ml.synthetic import main

if __name__ == "__main__":
    raise SystemExit(main())
