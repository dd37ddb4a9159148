"""The card photo spec (社会保障卡制证用数字相片). The file-size bounds are a
region setting; everything here is fixed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sscard.regions.models import RegionSettings

WIDTH = 358
HEIGHT = 441
DPI = 350
FACE_WIDTH = (179, 255)
HEAD_TOP = (7, 21)  # px below the top edge
EYE_MID_X = (162, 196)  # px from the left edge
EYE_LINE_MIN_FROM_BOTTOM = 207

# What the automatic fix aims for: the middle of each band.
TARGET_FACE_WIDTH = 215
TARGET_HEAD_TOP = 14
TARGET_EYE_MID_X = WIDTH // 2

# Measured limits of "a good picture" (see sscard/photos/check.py for how they are measured).
MIN_FACE_BRIGHTNESS = 70
MAX_FACE_BRIGHTNESS = 235
MIN_SHARPNESS = 10.0
MIN_BACKGROUND_LIGHT_SHARE = 0.9

# The check's own version: raised whenever sscard/photos/check.py measures or judges a photo
# differently, so that a verdict kept from before (a draft's photo) is given again.
CHECK_VERSION = 1


@dataclass(frozen=True)
class SizeBounds:
    min_kb: int
    max_kb: int

    @classmethod
    def of(cls, region: RegionSettings | SizeBounds | None) -> SizeBounds:
        """The region's bounds; with no region given, the deployment's settings row."""
        if isinstance(region, SizeBounds):
            return region
        if region is None:
            from sscard.regions.selectors import region_settings

            region = region_settings()
        return cls(min_kb=region.photo_min_kb, max_kb=region.photo_max_kb)


def checked_under(region: RegionSettings | SizeBounds | None) -> str:
    """What a photo's verdict depends on besides the photo: the spec's figures, the check's
    version and the region's file-size bounds, as a short digest. A verdict kept with a
    photo is trusted only while this is the same."""
    bounds = SizeBounds.of(region)
    figures = (
        CHECK_VERSION,
        WIDTH,
        HEIGHT,
        DPI,
        FACE_WIDTH,
        HEAD_TOP,
        EYE_MID_X,
        EYE_LINE_MIN_FROM_BOTTOM,
        MIN_FACE_BRIGHTNESS,
        MAX_FACE_BRIGHTNESS,
        MIN_SHARPNESS,
        MIN_BACKGROUND_LIGHT_SHARE,
        bounds.min_kb,
        bounds.max_kb,
    )
    return hashlib.sha256(repr(figures).encode()).hexdigest()[:16]
