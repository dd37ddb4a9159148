"""The simulated face check: a selfie is accepted when it shows exactly one face.

The image is read in memory only (:class:`MemoryOnlyUploadHandler` never spills to a temporary
file), decoded, turned upright by its EXIF orientation, scaled down and searched with OpenCV's
frontal-face Haar cascade; then every copy of it is dropped. Nothing is written anywhere.
"""

from __future__ import annotations

import warnings
from io import BytesIO
from typing import Any

import cv2
import numpy as np
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from PIL import Image, ImageOps, UnidentifiedImageError

from sscard.photos.check import FACE_CASCADE, cascade

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Faces are searched on a copy whose longer side is at most this many pixels.
WORK_SIZE = 800
# In a selfie the face is large: smaller "faces" are background noise.
MIN_FACE_SHARE = 0.12
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}


class FaceImageError(ValueError):
    """Not a usable picture; ``message`` is Chinese for the citizen."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _decode(data: bytes) -> Image.Image:
    not_an_image = FaceImageError(
        "无法识别该文件，请拍摄或选择一张本人正脸照片（JPG或PNG格式）", code="not_image"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise not_an_image
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise FaceImageError("照片尺寸过大，请重新拍摄", code="too_large")
            image.load()
    except FaceImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise FaceImageError("照片尺寸过大，请重新拍摄", code="too_large") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise not_an_image from exc
    return image


def count_faces(data: bytes) -> int:
    """How many faces the picture in ``data`` shows."""
    image = _decode(data)
    upright = ImageOps.exif_transpose(image) or image
    gray = upright.convert("L")
    gray.thumbnail((WORK_SIZE, WORK_SIZE))
    pixels = cv2.equalizeHist(np.asarray(gray, dtype=np.uint8))
    side = max(40, int(MIN_FACE_SHARE * min(pixels.shape)))
    faces = cascade(FACE_CASCADE).detectMultiScale(
        pixels, scaleFactor=1.1, minNeighbors=5, minSize=(side, side)
    )
    return len(faces)


def check_selfie(data: bytes) -> None:
    """Accept a selfie with exactly one face, else refuse with the reason."""
    found = count_faces(data)
    if found == 0:
        raise FaceImageError("未检测到人脸，请正对镜头、在光线充足处重新拍摄", code="no_face")
    if found > 1:
        raise FaceImageError("检测到多张人脸，请确保画面中只有本人", code="several_faces")


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Keeps one uploaded selfie (the ``field`` file) in memory, up to :data:`MAX_BYTES`; a
    larger one is dropped (``too_large`` is set) instead of going to a temporary file on disk,
    and any other file in the request is dropped unread."""

    too_large = False

    def __init__(self, request: Any = None, *, field: str = "selfie") -> None:
        super().__init__(request)
        self.field = field
        self.taken = False
        self.buffer = BytesIO()

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        if field_name != self.field or self.taken:
            raise SkipFile()
        super().new_file(field_name, *args, **kwargs)
        self.taken = True
        self.buffer = BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.buffer.tell() + len(raw_data) > MAX_BYTES:
            self.too_large = True
            self.buffer = BytesIO()
            raise SkipFile()
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name or "selfie",
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
