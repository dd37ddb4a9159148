"""Reading a QR code from a photo (a clerk's picture of a phone showing 电子社保卡): the upload
hardened like every other (typed by its content, capped in bytes and pixels), decoded with
OpenCV's QRCodeDetector on a copy no larger than the photo check's."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from sscard.core.errors import DomainError
from sscard.photos.imaging import MAX_IMAGE_PIXELS, WORK_MAX_SIDE, ImageRefused, open_image, sniff
from sscard.photos.uploads import MB, PHOTO_MAX_BYTES, _read

# the upload rules, said with every refusal
LIMITS = (
    f"照片须为JPG或PNG格式，不超过{PHOTO_MAX_BYTES // MB}MB、{MAX_IMAGE_PIXELS // 10_000}万像素"
)


class QrRefused(DomainError):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(f"{message}（{LIMITS}）", code=code, field="photo")


def qr_read(upload: Any) -> str:
    """The text of the one QR code in the photo ``upload``; :class:`QrRefused` when there is
    none, more than one, or the file is not a photo within the limits."""
    try:
        data = _read(upload, max_bytes=PHOTO_MAX_BYTES, field="photo")
    except DomainError as refused:
        raise QrRefused(refused.message, refused.code) from refused
    if sniff(data) not in {"JPEG", "PNG"}:
        raise QrRefused("只能上传JPG或PNG格式的照片", "file_type")
    try:
        image = open_image(data)
    except ImageRefused as refused:
        raise QrRefused(refused.message, "file_refused") from refused
    image = image.convert("L")
    image.thumbnail((WORK_MAX_SIDE, WORK_MAX_SIDE))
    pixels = np.asarray(image)
    count, texts = _detect(pixels)
    if count == 0:
        raise QrRefused("照片中没有找到二维码，请对准二维码重新拍摄", "qr_none")
    if count > 1:
        raise QrRefused("照片中有多个二维码，请只拍持卡人出示的一个", "qr_many")
    text = texts[0] if texts else ""  # a code found but not read
    if not text:
        raise QrRefused("照片中的二维码无法识别，请拍清晰后重试", "qr_unreadable")
    return str(text)


def _detect(pixels: np.ndarray) -> tuple[int, list[str]]:
    """How many codes the photo shows and what each says. OpenCV's two detectors miss
    different codes (the ArUco-based one finds a lone large code the classic one misses; the
    classic one sometimes finds a second code beside it), so the photo counts as showing the
    most codes either found."""
    best: tuple[int, list[str]] = (0, [])
    for detector in (cv2.QRCodeDetectorAruco(), cv2.QRCodeDetector()):
        try:
            found, texts, points, _ = detector.detectAndDecodeMulti(pixels)
        except cv2.error:
            continue
        if found and points is not None and len(points) > best[0]:
            best = (len(points), [str(t) for t in texts])
    if best[0] == 0:
        try:
            text, points, _ = cv2.QRCodeDetector().detectAndDecode(pixels)
        except cv2.error:
            return best
        if points is not None:
            best = (1, [str(text)])
    return best
