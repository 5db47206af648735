"""Debian's Chromium for Playwright: never a downloaded browser (see TOOLCHAIN.md)."""

from __future__ import annotations

from typing import Any

CHROMIUM = "/usr/bin/chromium"
# The flags that keep Chromium headless, quiet and from calling any host outside this machine.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch_args() -> dict[str, Any]:
    """pytest-playwright's browser_type_launch_args."""
    return {"executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}
