"""Pictures for the face check, made from real photographs that ship inside scikit-image's
wheel (nothing is downloaded): ``skimage.data.astronaut()`` is NASA's public-domain portrait of
Eileen Collins, one face; two of them side by side are two faces; coffee is no face."""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

import numpy as np
from PIL import Image


@cache
def _astronaut() -> Image.Image:
    from skimage import data

    return Image.fromarray(data.astronaut())


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def one_face(fmt: str = "JPEG") -> bytes:
    """A selfie: one person, face to the camera."""
    return _encode(_astronaut(), fmt, quality=90) if fmt == "JPEG" else _encode(_astronaut(), fmt)


def two_faces() -> bytes:
    """Two people in the picture."""
    face = np.asarray(_astronaut())
    return _encode(Image.fromarray(np.concatenate([face, face[:, ::-1]], axis=1)), "JPEG")


def no_face() -> bytes:
    """A photograph without anyone in it (a cup of coffee)."""
    from skimage import data

    return _encode(Image.fromarray(data.coffee()), "JPEG")


def sideways_phone_photo() -> bytes:
    """How a phone stores a portrait shot: the pixels lie on their side and the EXIF
    orientation tag (6: rotate 90° clockwise to view) says how to turn them upright."""
    rotated = _astronaut().transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    return _encode(rotated, "JPEG", exif=exif.tobytes())


@cache
def large_one_face() -> bytes:
    """A camera-sized PNG (well over Django's 2.5 MB in-memory upload threshold)."""
    big = _astronaut().resize((1800, 1800), Image.Resampling.BICUBIC)
    noise = np.random.default_rng(7).integers(0, 6, (1800, 1800, 3), dtype=np.uint8)
    return _encode(Image.fromarray(np.asarray(big) + noise), "PNG")


def huge_blank() -> bytes:
    """A small file that decodes to 50 megapixels (a decompression bomb, mildly)."""
    return _encode(Image.new("L", (10_000, 5_000), 255), "PNG")


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
