"""Bars only on a terminal and never with ML_PROGRESS=0; the loops run the same either way."""

from __future__ import annotations

import io

import pytest

from ml.runtime import progress as progress_module
from ml.runtime.progress import progress, progress_bar, progress_enabled, say


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def use_stderr(monkeypatch: pytest.MonkeyPatch, stream: io.StringIO) -> io.StringIO:
    """Swap stderr inside the test body (pytest re-installs its own capture between phases)."""
    monkeypatch.setattr(progress_module.sys, "stderr", stream)
    monkeypatch.delenv(progress_module.ENV_VAR, raising=False)
    return stream


def test_bar_drawn_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = use_stderr(monkeypatch, FakeTerminal())
    assert progress_enabled()
    assert list(progress(range(5), desc="CV folds")) == [0, 1, 2, 3, 4]
    assert "CV folds" in terminal.getvalue() and "/5 " in terminal.getvalue()


@pytest.mark.parametrize("value", ["0", "false", "off"])
def test_env_var_switches_bars_off(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    terminal = use_stderr(monkeypatch, FakeTerminal())
    monkeypatch.setenv(progress_module.ENV_VAR, value)
    assert not progress_enabled()
    assert list(progress(iter("abc"), total=3, desc="batches")) == ["a", "b", "c"]
    with progress_bar(total=10, desc="scoring") as bar:
        bar.update(10)
    assert terminal.getvalue() == ""


def test_no_bar_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = use_stderr(monkeypatch, io.StringIO())
    assert not progress_enabled()
    with progress_bar(desc="dbt build", unit="node") as bar:
        bar.total = 3
        bar.update(3)
    say("dbt build: 3 nodes")
    assert stream.getvalue() == "dbt build: 3 nodes\n"


def test_explicit_enabled_overrides_detection(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = use_stderr(monkeypatch, FakeTerminal())
    assert sum(progress([1, 2, 3], enabled=False)) == 6
    assert terminal.getvalue() == ""
