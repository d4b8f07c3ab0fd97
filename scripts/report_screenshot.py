"""Screenshot a report's HTML page with headless Chromium, to see it as a browser draws it.

Usage::

    python scripts/report_screenshot.py REPORT.html OUT.png [--width 1280] [--height 2400]

``REPORT.html`` is any page ``chamados.reports.html.report_html`` (or ``write_html``)
made. The script runs ``chromium --headless=new`` (``--chromium PATH`` picks the binary;
otherwise the first of ``chromium``, ``chromium-browser``, ``google-chrome`` on the
``PATH``, then ``/usr/bin/chromium``) with a throwaway profile, waits at most
``--timeout`` seconds, checks that a PNG came out, and prints its size.

Exit status: 0 on success, 1 when Chromium failed or wrote no PNG, 2 when no Chromium
was found (install it with ``apt-get install chromium`` on Debian).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
FALLBACK = Path("/usr/bin/chromium")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def find_chromium() -> str | None:
    """The path of a Chromium (or Chrome) binary, or None when there is none."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return str(FALLBACK) if FALLBACK.exists() else None


def png_size(path: Path) -> tuple[int, int]:
    """The width and height in a PNG's IHDR chunk; ValueError when it is not a PNG."""
    head = path.read_bytes()[:24]
    if len(head) < 24 or head[:8] != PNG_SIGNATURE or head[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG image")
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def screenshot(
    html: Path,
    png: Path,
    *,
    chromium: str,
    width: int = 1280,
    height: int = 2400,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Have headless Chromium draw ``html`` in a ``width`` x ``height`` window into ``png``.

    Chromium runs in its own process group with a throwaway profile; past ``timeout``
    seconds the whole group is killed and ``subprocess.TimeoutExpired`` raised.
    """
    with tempfile.TemporaryDirectory(
        prefix="chamados-chromium-", ignore_cleanup_errors=True
    ) as profile:
        command = [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            # A closed network: no background fetches, updates or sync to wait for.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--screenshot={png.resolve()}",
            html.resolve().as_uri(),
        ]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            if hasattr(os, "killpg"):
                os.killpg(process.pid, signal.SIGKILL)  # Chromium's helpers too
            else:
                process.kill()
            process.communicate()
            raise
        return subprocess.CompletedProcess(command, process.returncode, out, err)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", type=Path, help="the report page to draw")
    parser.add_argument("png", type=Path, help="where to write the screenshot")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2400)
    parser.add_argument("--timeout", type=float, default=60, help="seconds (default 60)")
    parser.add_argument("--chromium", help="the browser binary (default: found on PATH)")
    args = parser.parse_args(argv)

    if not args.html.is_file():
        print(f"no such file: {args.html}", file=sys.stderr)
        return 1
    chromium = args.chromium or find_chromium()
    if chromium is None:
        print(
            "Chromium not found; install it (apt-get install chromium) or pass --chromium",
            file=sys.stderr,
        )
        return 2
    args.png.unlink(missing_ok=True)
    try:
        done = screenshot(
            args.html,
            args.png,
            chromium=chromium,
            width=args.width,
            height=args.height,
            timeout=args.timeout,
        )
    except subprocess.TimeoutExpired:
        print(f"Chromium took more than {args.timeout:g}s; no screenshot", file=sys.stderr)
        return 1
    if done.returncode != 0 or not args.png.is_file():
        print(f"Chromium failed (exit {done.returncode}):\n{done.stderr}", file=sys.stderr)
        return 1
    width, height = png_size(args.png)
    print(f"{args.png}: {width}x{height} PNG, {args.png.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
