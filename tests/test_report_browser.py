"""A real browser draws the report page: headless Chromium takes a screenshot of it.

``CHAMADOS_TEST_CHROMIUM`` names the browser binary (``/usr/bin/chromium`` once Debian's
``chromium`` package is installed). Unset, these tests skip and say so; set to a path
that is not there, they fail: ``.ci/run`` installs Chromium and sets it, so CI always
draws the page.
"""

from __future__ import annotations

import os
import shutil
import signal
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from chamados.reports.html import write_html
from tests.report_samples import sample_report, sized_report

WIDTH, HEIGHT = 1280, 2400
TIMEOUT = 60
SCRIPT = Path(__file__).parent.parent / "scripts" / "report_screenshot.py"


CHROMIUM = os.environ.get("CHAMADOS_TEST_CHROMIUM") or None
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="CHAMADOS_TEST_CHROMIUM is not set (apt-get install chromium, then set it to "
    "/usr/bin/chromium): no browser to draw the page",
)


@needs_chromium
def test_the_browser_named_for_the_tests_is_there() -> None:
    """The binary CHAMADOS_TEST_CHROMIUM names exists and runs: a wrong path fails CI."""
    assert CHROMIUM is not None
    found = shutil.which(CHROMIUM)
    assert found is not None, f"CHAMADOS_TEST_CHROMIUM={CHROMIUM!r} is not an executable"
    done = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """The (type, data) chunks of a PNG file, after its signature."""
    found, position = [], 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        found.append((kind, png[position + 8 : position + 8 + length]))
        position += 12 + length
    return found


def screenshot(chromium: str, html: Path, png: Path, profile: Path) -> None:
    """Run headless Chromium on ``html``; kill its whole process group past the timeout."""
    command = [
        chromium,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        f"--user-data-dir={profile}",
        f"--window-size={WIDTH},{HEIGHT}",
        f"--screenshot={png}",
        html.as_uri(),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        _, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"Chromium took more than {TIMEOUT}s to draw {html.name}")
    assert process.returncode == 0, err


def assert_drawn(png: Path) -> None:
    """``png`` is a PNG of the window's size with a lot drawn on it (a blank page is a
    few kilobytes of four byte values once inflated)."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    found = chunks(data)
    kind, header = found[0]
    assert kind == b"IHDR"
    width, height = struct.unpack(">II", header[:8])
    assert (width, height) == (WIDTH, HEIGHT)
    assert len(data) > 20_000
    pixels = zlib.decompress(b"".join(body for kind, body in found if kind == b"IDAT"))
    assert len(set(pixels)) >= 64


@needs_chromium
@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_chromium_draws_the_sample_report(tmp_path: Path, lang: str) -> None:
    """Headless Chromium renders the sample report's page into a full, non-blank PNG."""
    assert CHROMIUM is not None
    html = write_html(sample_report(), tmp_path / "report.html", lang=lang)
    png = tmp_path / "report.png"
    screenshot(CHROMIUM, html, png, tmp_path / "profile")
    assert_drawn(png)


@needs_chromium
def test_the_screenshot_script_draws_any_report_file(tmp_path: Path) -> None:
    """scripts/report_screenshot.py turns a report file (30 bars a chart) into a PNG."""
    html = write_html(sized_report(30), tmp_path / "thirty.html", lang="en")
    png = tmp_path / "thirty.png"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(html), str(png), "--chromium", str(CHROMIUM)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT + 30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"{WIDTH}x{HEIGHT} PNG" in done.stdout
    assert_drawn(png)


def test_the_screenshot_script_says_when_the_page_is_missing(tmp_path: Path) -> None:
    """A wrong path is an error message and exit status 1, not a blank screenshot."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "nope.html"), str(tmp_path / "x.png")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 1
    assert "no such file" in done.stderr
