"""The embedded default dataset: a seeded synthetic Spotify_Youtube.csv at any size.

A stand-in for the Kaggle "Spotify and Youtube" CSV with the real layout (28 columns, empty first
header, floats written as ``6.0``, flags as ``True``/``False``, empty fields for missing values,
quoted multi-line descriptions), calibrated to the reference profile of the real Kaggle file
(shared/reference/kaggle_dataset.md in the product's shared docs). All numbers are vectorised
with numpy, one chunk of whole artists at a time; the same rows and seed give the same bytes.

Modules, in the order the data flows:

* ``profile``: the measured figures - shares, quantile knots, latent correlations and shifts.
* ``marginals``: quantile functions on Gaussian latents (a Gaussian copula; group-shifted latents
  go through the exact mixture CDF) and the numeric fields of tracks. Official videos carry the
  *hits*, tracks pushed far up on Spotify and YouTube at once: their upper-tail dependence gives
  the raw Stream-Views correlation of 0.60 and the official-video lift of mean streams (+70%),
  larger than that of the median (+42%).
* ``names`` and ``videos``: artist, track and album names, ids, video titles, channels and
  descriptions (with the CSV traps of the real file), from the word pools in ``vocabulary.txt``.
* ``chunks``: whole artists per chunk, their tracks and videos, and the collaborations (~9% of
  rows list a recent track of another artist again) drawn from a bounded pool of recent rows.
* ``layout``: the header (the raw-input check's ``REQUIRED_COLUMNS``) and the value formats.
* ``writer``: streaming to a temporary file renamed at the end, progress, and the CLI.
"""

from ml.synthetic.layout import HEADER
from ml.synthetic.writer import generate, main

__all__ = ["HEADER", "generate", "main"]
