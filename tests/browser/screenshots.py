"""Where browser tests keep screenshots to look at: a folder under BALIE_SCREENSHOTS, or nowhere."""

from __future__ import annotations

import os
from pathlib import Path


def screenshot_folder(name: str) -> Path | None:
    """BALIE_SCREENSHOTS/<name> (created) when that variable is set; otherwise None: no screenshots."""
    root = os.environ.get("BALIE_SCREENSHOTS")
    if not root:
        return None
    folder = Path(root) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
