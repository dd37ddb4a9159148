"""The card photo spec (DOMAIN.md §7, 社会保障卡制证用数字相片). The file-size bounds are a
region setting; everything here is fixed."""

from __future__ import annotations

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
