"""QR codes drawn on the server (segno): an inline SVG for a page, a PNG for a PDF. Nothing
leaves the service to draw them."""

from __future__ import annotations

import io

import segno
from django.utils.html import escape


def qr_svg(text: str, *, title: str) -> str:
    """An ``<svg>`` element of ``text`` for a page: scales with its box, described by
    ``title`` for screen readers. Error correction M survives a scratched phone screen."""
    code = segno.make(text, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(
        buffer,
        kind="svg",
        scale=1,
        border=4,
        xmldecl=False,
        svgns=True,
        title=title,
        svgclass="qr",
        lineclass=None,
        omitsize=True,
        dark="#000",
        light="#fff",
    )
    svg = buffer.getvalue().decode()
    return svg.replace("<svg ", '<svg role="img" aria-label="' + escape(title) + '" ', 1)


def qr_png(text: str, *, scale: int = 8) -> bytes:
    code = segno.make(text, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_matrix(text: str) -> list[list[bool]]:
    """The modules of the code (dark = True), without its border: what a test compares."""
    return [[bool(cell) for cell in row] for row in segno.make(text, error="m", micro=False).matrix]
