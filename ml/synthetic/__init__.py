"""The embedded default dataset: a seeded synthetic Spotify_Youtube.csv at any size."""

from ml.synthetic.generator import HEADER, generate, main

__all__ = ["HEADER", "generate", "main"]
