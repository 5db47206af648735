"""QR codes as inline SVG: the advice card's link and the authenticator app's set-up key."""

from __future__ import annotations

import segno

# Light modules all round: the quiet zone ISO/IEC 18004 asks for, without which scanners miss the code.
QUIET_ZONE = 4
DARK, LIGHT = "#0b0c0c", "#ffffff"


def qr_svg(content: str) -> str:
    """Inline SVG markup with a viewBox and no width or height of its own: the stylesheet sizes it
    and the whole code, quiet zone included, scales with it instead of being cut off. It draws a
    white background of its own, so the quiet zone also prints on a coloured page. No script, no
    style attribute (the Content-Security-Policy allows neither)."""
    return segno.make(content, error="m").svg_inline(
        scale=1, border=QUIET_ZONE, omitsize=True, dark=DARK, light=LIGHT, svgclass="qr-code", lineclass=None
    )
