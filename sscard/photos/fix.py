"""Fix a card photo that is only wrong in ways a machine can put right: from a larger photo of
one person on a light background, crop around the face to the spec geometry, scale to
358 × 441, set 350 dpi, encode as a JPEG within the region's size bounds, and check the result
again. Everything else is refused with the reason, in Chinese."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np
from PIL import Image

from sscard.photos import spec
from sscard.photos.check import (
    PhotoReport,
    backdrop,
    check_photo,
    detect_faces,
    encode_jpeg,
    head_top,
    locate_eyes,
    refine_face,
)
from sscard.photos.imaging import ImageRefused, open_image, reduced, to_rgb
from sscard.photos.spec import SizeBounds

if TYPE_CHECKING:
    from sscard.regions.models import RegionSettings

# Below this face width (px) in the original, the photo would have to be enlarged too much.
MIN_SOURCE_FACE_WIDTH = 150
# The share of the spec window that may lie below the photo's bottom edge.
MAX_BOTTOM_PAD = 0.05
GEOMETRY_RULES = frozenset({"size", "face_width", "head_top", "eye_x", "eye_line"})
QUALITIES = (92, 88, 84, 80, 75, 70, 65, 60, 55, 50, 45, 40)


@dataclass(frozen=True)
class FixResult:
    ok: bool
    data: bytes | None
    report: PhotoReport  # of the fixed photo when there is one, else of the original
    reason: str  # why it could not be fixed ("" when ok)
    original: PhotoReport | None = None  # the check of the photo as uploaded
    changed: bool = False  # False: the photo already met the spec and is returned as it was


def _refuse(reason: str, report: PhotoReport) -> FixResult:
    return FixResult(ok=False, data=None, report=report, reason=reason, original=report)


def fix_photo(
    data: bytes,
    *,
    region: RegionSettings | SizeBounds | None = None,
    checked: PhotoReport | None = None,
) -> FixResult:
    """``checked``: the check of ``data`` under the same bounds, when the caller has it (it is
    then not checked again)."""
    bounds = SizeBounds.of(region)
    original = checked if checked is not None else check_photo(data, region=bounds)
    if original.ok:
        return FixResult(ok=True, data=data, report=original, reason="", original=original)
    try:
        image = open_image(data)
    except ImageRefused as refused:
        return _refuse(refused.message, original)
    rgb_image = to_rgb(image)
    # measured on a bounded copy (faces, eyes, backdrop), cut from the full picture
    work = reduced(rgb_image)
    to_full = rgb_image.width / work.width
    rgb = np.asarray(work)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)

    faces = detect_faces(gray, narrowest=MIN_SOURCE_FACE_WIDTH / to_full)
    if not faces:
        return _refuse("未检测到人脸，无法自动裁剪", original)
    if len(faces) > 1:
        return _refuse(f"检测到{len(faces)}张人脸，照片中只能有本人一人", original)
    if (
        image.mode not in {"RGB", "RGBA", "P", "CMYK"}
        or original.measurements.get("colour_spread", 99) < 1.0
    ):
        return _refuse("黑白照片无法自动修正，请上传彩色照片", original)
    face = refine_face(gray, faces[0])
    w = round(face[2] * to_full)
    if w < MIN_SOURCE_FACE_WIDTH:
        return _refuse(
            f"人像太小（人脸宽度仅{w}像素），无法裁剪成清晰的证件照，请靠近一些重新拍摄",
            original,
        )
    back = backdrop(rgb, band=max(6, min(rgb.shape[:2]) // 60))
    if not back.ok:
        return _refuse("背景不是白色或浅色，无法自动修正，请在白色背景前重新拍摄", original)

    if not original.rules & GEOMETRY_RULES:
        # the right picture in the wrong file (format, dpi, file size): encode it again
        fixed = rgb_image
    else:
        cropped = _crop_to_spec(rgb_image, rgb, gray, face, to_full)
        if isinstance(cropped, str):
            return _refuse(cropped, original)
        fixed = cropped
    encoded = _encode_within(fixed, bounds)
    report = check_photo(encoded, region=bounds)
    if not report.ok:
        return FixResult(
            ok=False,
            data=None,
            report=report,
            reason="自动修正后仍不符合要求：" + "；".join(report.messages),
            original=original,
        )
    return FixResult(
        ok=True, data=encoded, report=report, reason="", original=original, changed=True
    )


def _crop_to_spec(
    image: Image.Image,
    rgb: np.ndarray,
    gray: np.ndarray,
    face: tuple[int, int, int, int],
    to_full: float = 1.0,
) -> Image.Image | str:
    """The spec window around the face, scaled to 358 × 441; or why it cannot be cut. The
    face, eyes and head are measured on ``rgb``/``gray`` (the bounded copy) and the window
    is cut from ``image``, ``to_full`` times larger."""
    eyes = locate_eyes(gray, face)
    top = head_top(rgb, face) * to_full
    if top <= 0:
        return "头顶超出照片上边缘，请拍摄完整的头部"
    scale = spec.TARGET_FACE_WIDTH / (face[2] * to_full)
    window_w = spec.WIDTH / scale
    window_h = spec.HEIGHT / scale
    left = eyes.mid_x * to_full - spec.TARGET_EYE_MID_X / scale
    upper = top - spec.TARGET_HEAD_TOP / scale
    below = upper + window_h - image.height
    if below > window_h * MAX_BOTTOM_PAD:
        return "照片下方不完整，需拍到肩部"
    # A little room beyond an edge (the backdrop above or beside the head, the last rows of
    # the shoulders) is filled by repeating the edge pixels.
    pad = max(0, math.ceil(max(-left, -upper, left + window_w - image.width, below))) + 1
    if pad > 1:
        full = np.asarray(image)
        image = Image.fromarray(np.pad(full, ((pad, pad), (pad, pad), (0, 0)), mode="edge"))
    else:
        pad = 0
    box = (left + pad, upper + pad, left + pad + window_w, upper + pad + window_h)
    return image.resize((spec.WIDTH, spec.HEIGHT), Image.Resampling.LANCZOS, box=box)


def _encode_within(image: Image.Image, bounds: SizeBounds) -> bytes:
    """The best JPEG quality that fits under the size ceiling (and above the floor)."""
    encoded = b""
    for quality in QUALITIES:
        encoded = encode_jpeg(image, quality=quality)
        if len(encoded) <= bounds.max_kb * 1024:
            break
    if len(encoded) < bounds.min_kb * 1024:
        encoded = encode_jpeg(image, quality=97)
    return encoded
