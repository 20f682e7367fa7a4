"""Open a local HTML file in headless Chromium and report what happened (a test helper).

Drives Chromium through the DevTools protocol over a pipe (--remote-debugging-pipe: JSON
messages separated by NUL bytes on file descriptors 3 and 4), so no websocket library is needed.
Collects console errors and warnings, uncaught exceptions, browser log errors (e.g. failed
loads) and every URL the page requested, then evaluates a few expressions in the page and plays
optional steps as a person would: type into a box, click an element, evaluate, print preview
(media emulation), take a picture.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium", "chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    # any attempt to reach the network fails fast (and is logged) instead of hanging
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def find_chromium() -> str | None:
    for candidate in CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


@dataclass(frozen=True)
class Type:
    """Focus the first element matching ``selector``, select its text and type ``text`` over it
    (Input.insertText: the page gets real input events)."""

    selector: str
    text: str


@dataclass(frozen=True)
class Click:
    """Scroll the first element matching ``selector`` into view and click its centre (mouse
    events at that point, so what is on top there gets the click)."""

    selector: str


@dataclass(frozen=True)
class Evaluate:
    """Evaluate ``expression`` in the page; its value lands in ``PageReport.values[name]``."""

    name: str
    expression: str


@dataclass(frozen=True)
class Screenshot:
    """A PNG of the viewport, after scrolling ``selector`` (if any) to the top."""

    path: Path
    selector: str | None = None


@dataclass(frozen=True)
class Media:
    """Emulate a CSS media type from now on ("print", or "" for the default "screen")."""

    media: str


Step = Type | Click | Evaluate | Screenshot | Media
SETTLE = 0.4  # seconds to let the page react after typing or clicking (debounced handlers)


@dataclass
class PageReport:
    console: list[dict[str, Any]] = field(default_factory=list)  # every console call
    exceptions: list[str] = field(default_factory=list)
    log_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def console_errors(self) -> list[str]:
        return [
            " ".join(str(arg.get("value", arg.get("description", ""))) for arg in call["args"])
            for call in self.console
            if call["type"] in {"error", "assert"}
        ]

    @property
    def problems(self) -> list[str]:
        return self.console_errors + self.exceptions + self.log_errors


class _Pipe:
    def __init__(self, process: subprocess.Popen, write_fd: int, read_fd: int) -> None:
        self.process = process
        self.write_fd = write_fd
        self.read_fd = read_fd
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        return self.next_id

    def _read(self, timeout: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.read_fd], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self.read_fd, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(
        self, method: str, params: dict | None = None, session: str | None = None, timeout=30.0
    ) -> dict[str, Any]:
        wanted = self.send(method, params, session)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self._read(deadline - time.monotonic())
            if message is None:
                break
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)
        raise TimeoutError(f"no answer to {method} within {timeout} s")

    def wait_for(self, method: str, timeout: float) -> bool:
        if any(event["method"] == method for event in self.events):
            return True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self._read(deadline - time.monotonic())
            if message is None:
                return False
            if "method" in message:
                self.events.append(message)
                if message["method"] == method:
                    return True
        return False

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            message = self._read(deadline - time.monotonic())
            if message is None:
                return
            if "method" in message:
                self.events.append(message)


def _element(pipe: _Pipe, session: str, selector: str, action: str) -> Any:
    """Run ``action`` (JS using ``el``) on the first element matching ``selector``."""
    expression = (
        f"(() => {{ const el = document.querySelector({json.dumps(selector)}); "
        f"if (!el) return null; {action} }})()"
    )
    result = pipe.call(
        "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session
    )
    value = result.get("result", {}).get("value")
    if value is None:
        raise LookupError(f"no element matches {selector!r}")
    return value


def _play(pipe: _Pipe, session: str, step: Step, report: PageReport) -> None:
    if isinstance(step, Type):
        _element(pipe, session, step.selector, "el.focus(); el.select && el.select(); return true;")
        pipe.call("Input.insertText", {"text": step.text}, session=session)
        pipe.drain(SETTLE)
    elif isinstance(step, Click):
        box = _element(
            pipe,
            session,
            step.selector,
            "el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect(); "
            "return [r.left + r.width / 2, r.top + r.height / 2];",
        )
        for kind in ("mousePressed", "mouseReleased"):
            pipe.call(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1},
                session=session,
            )
        pipe.drain(SETTLE)
    elif isinstance(step, Evaluate):
        result = pipe.call(
            "Runtime.evaluate",
            {"expression": step.expression, "returnByValue": True},
            session=session,
        )
        report.values[step.name] = result.get("result", {}).get("value")
    elif isinstance(step, Media):
        pipe.call("Emulation.setEmulatedMedia", {"media": step.media}, session=session)
    elif isinstance(step, Screenshot):
        if step.selector:
            _element(pipe, session, step.selector, "el.scrollIntoView(); return true;")
        shot = pipe.call("Page.captureScreenshot", {"format": "png"}, session=session)
        step.path.write_bytes(base64.b64decode(shot["data"]))


def open_page(
    html: Path,
    expressions: dict[str, str],
    *,
    chromium: str,
    user_data_dir: Path,
    window: tuple[int, int] = (1280, 900),
    timeout: float = 60.0,
    steps: Sequence[Step] = (),
) -> PageReport:
    """Load the file, wait for the load event (+ a short settle), evaluate the expressions, then
    play the steps in order (console errors they cause are collected too)."""
    to_chrome_read, to_chrome_write = os.pipe()
    from_chrome_read, from_chrome_write = os.pipe()

    def wire_fds() -> None:  # in the child: Chromium reads commands on fd 3, writes on fd 4
        # move both ends above 10 first: a pipe end may itself be fd 3 or 4
        high_read = fcntl.fcntl(to_chrome_read, fcntl.F_DUPFD, 10)
        high_write = fcntl.fcntl(from_chrome_write, fcntl.F_DUPFD, 10)
        os.dup2(high_read, 3)
        os.dup2(high_write, 4)

    command = [
        chromium,
        *FLAGS,
        f"--user-data-dir={user_data_dir}",
        f"--window-size={window[0]},{window[1]}",
        "--remote-debugging-pipe",
        "about:blank",
    ]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # dup2 makes inheritable copies on fds 3 and 4; close_fds=False keeps them across exec
        # (every other descriptor of this process is close-on-exec, so nothing else leaks)
        close_fds=False,
        preexec_fn=wire_fds,
    )
    os.close(to_chrome_read)
    os.close(from_chrome_write)
    pipe = _Pipe(process, to_chrome_write, from_chrome_read)
    report = PageReport()
    try:
        target = pipe.call("Target.createTarget", {"url": "about:blank"}, timeout=timeout)
        session = pipe.call(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )["sessionId"]
        for domain in ("Runtime", "Log", "Page", "Network"):
            pipe.call(f"{domain}.enable", session=session)
        pipe.call("Page.navigate", {"url": html.resolve().as_uri()}, session=session)
        if not pipe.wait_for("Page.loadEventFired", timeout):
            raise TimeoutError(f"{html} did not finish loading within {timeout} s")
        pipe.drain(0.5)
        for name, expression in expressions.items():
            result = pipe.call(
                "Runtime.evaluate",
                {"expression": expression, "returnByValue": True},
                session=session,
            )
            report.values[name] = result.get("result", {}).get("value")
        for step in steps:
            _play(pipe, session, step, report)
        pipe.drain(0.2)
        for event in pipe.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled":
                report.console.append({"type": params.get("type"), "args": params.get("args", [])})
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                report.exceptions.append(
                    details.get("exception", {}).get("description") or details.get("text", "")
                )
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                report.log_errors.append(f"{entry.get('text', '')} {entry.get('url', '')}".strip())
            elif method == "Network.requestWillBeSent":
                report.requests.append(params.get("request", {}).get("url", ""))
        with contextlib.suppress(OSError):  # the browser may already be gone
            pipe.send("Browser.close")
    finally:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        os.close(to_chrome_write)
        os.close(from_chrome_read)
    return report


def screenshot(
    html: Path, output: Path, *, chromium: str, user_data_dir: Path, width: int, height: int
) -> None:
    """A PNG of the page at the given window size (headless --screenshot)."""
    subprocess.run(
        [
            chromium,
            *FLAGS,
            f"--user-data-dir={user_data_dir}",
            f"--window-size={width},{height}",
            f"--screenshot={output}",
            html.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
