"""Opening untrusted images safely: one place that knows Pillow's limits."""

from __future__ import annotations

import struct
import warnings
from io import BytesIO

from PIL import Image, UnidentifiedImageError

# 25 megapixels: what a phone camera's default picture reaches (12–24 MP), far less than
# Pillow's default of ~89 MP. Anything larger is refused by its header, before it is decoded.
MAX_IMAGE_PIXELS = 25_000_000
# A photo is analysed (faces, eyes, backdrop, sharpness) on a copy no larger than this on its
# longer side: the cost and the memory of the analysis stay bounded whatever the upload's size.
WORK_MAX_SIDE = 2000

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PDF_MAGIC = b"%PDF-"

TOO_MANY_PIXELS = f"图片像素过大，最多{MAX_IMAGE_PIXELS // 10_000}万像素"


def harden_pillow() -> None:
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    warnings.simplefilter("error", Image.DecompressionBombWarning)


harden_pillow()


class ImageRefused(Exception):
    """The bytes are not an image we will decode; ``message`` says why, in Chinese."""

    def __init__(self, message: str, measured: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.measured = measured


def sniff(data: bytes) -> str | None:
    """The file type by its first bytes, whatever its name says: "JPEG", "PNG", "PDF" or None."""
    if data.startswith(JPEG_MAGIC):
        return "JPEG"
    if data.startswith(PNG_MAGIC):
        return "PNG"
    if data.startswith(PDF_MAGIC):
        return "PDF"
    return None


def _declared_size(data: bytes) -> str:
    """The size a PNG header claims (Pillow refused to say: it was past the hard limit)."""
    if data.startswith(PNG_MAGIC) and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return f"{width}×{height}像素"
    return "超出上限"


def open_image(data: bytes, *, allowed: tuple[str, ...] = ("JPEG", "PNG")) -> Image.Image:
    """Decode an untrusted JPEG or PNG fully, refusing anything else, anything claiming more
    than :data:`MAX_IMAGE_PIXELS` pixels and anything Pillow cannot decode to the end."""
    kind = sniff(data)
    if kind not in allowed:
        raise ImageRefused(f"文件不是{'或'.join(allowed)}图片", "无法识别的文件类型")
    try:
        image = Image.open(BytesIO(data))
        # a phone's multi-picture JPEG (MPO: the photo plus a depth map or preview) is a JPEG
        # whose first picture is the photo
        if image.format != kind and not (kind == "JPEG" and image.format == "MPO"):
            raise ImageRefused("文件内容与图片格式不符", str(image.format))
        width, height = image.size
        # checked here too: a test runner or a library may have reset the warning filter
        if width * height > MAX_IMAGE_PIXELS:
            raise ImageRefused(TOO_MANY_PIXELS, f"{width}×{height}像素")
        image.load()
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRefused(TOO_MANY_PIXELS, _declared_size(data)) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ImageRefused("图片文件已损坏或不完整，无法打开", kind or "") from error
    return image


def reduced(image: Image.Image, max_side: int = WORK_MAX_SIDE) -> Image.Image:
    """The picture scaled down to at most ``max_side`` on its longer side (as it is when it
    is already that small)."""
    if max(image.size) <= max_side:
        return image
    factor = max_side / max(image.size)
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    try:
        return image.resize(size, Image.Resampling.BOX)
    except ValueError:  # a mode Pillow does not filter (16-bit, CMYK): as RGB
        return to_rgb(image).resize(size, Image.Resampling.BOX)


def to_rgb(image: Image.Image) -> Image.Image:
    """24-bit RGB; transparent parts (a PNG cut-out) become white, as on paper."""
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")
