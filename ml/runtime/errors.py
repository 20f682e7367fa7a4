"""Errors that end a command with a clear message (no traceback) and a non-zero exit."""

from __future__ import annotations


class PipelineError(Exception):
    """A failure the user can act on. `step` names the pipeline step; `hint` says what to do."""

    def __init__(self, message: str, *, step: str = "", hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.step = step
        self.hint = hint

    def __str__(self) -> str:
        text = self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class WarehouseLockedError(PipelineError):
    """The DuckDB file is held by another process."""
