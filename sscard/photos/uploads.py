"""Hardened uploads: photos and document scans are typed by their content (never their name),
capped in size, decoded within Pillow's lowered pixel limit, turned upright by their EXIF
orientation and then re-encoded, which drops every piece of metadata (GPS position, camera,
software, comments, XMP). PDF scans are rewritten page by page without their scripts,
actions, attachments, forms or metadata."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.deconstruct import deconstructible
from PIL import Image, ImageCms, ImageOps

from sscard.core.errors import DomainError
from sscard.photos.imaging import ImageRefused, open_image, sniff

MB = 1024 * 1024
PHOTO_MAX_BYTES = 10 * MB
DOCUMENT_MAX_BYTES = 10 * MB
PDF_MAX_PAGES = 20

CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "PDF": "application/pdf"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
ORIENTATION = 0x0112


class HardenedFile(ContentFile):
    """Re-encoded bytes ready to store; ``content_type`` comes from the content."""

    def __init__(self, content: bytes, content_type: str) -> None:
        super().__init__(content, name=f"upload.{EXTENSIONS[content_type]}")
        self.content_type = content_type


def _read(upload: Any, *, max_bytes: int, field: str) -> bytes:
    limit = f"{max_bytes / MB:g}MB"
    if (getattr(upload, "size", 0) or 0) > max_bytes:
        raise DomainError(f"文件过大，最大{limit}", field=field, code="file_too_large")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DomainError(f"文件过大，最大{limit}", field=field, code="file_too_large")
    if not data:
        raise DomainError("文件是空的，请重新选择", field=field, code="file_empty")
    return bytes(data)


def reencode_image(data: bytes) -> tuple[bytes, str]:
    """The picture in ``data`` upright and without metadata, in its own format (JPEG or PNG).
    Raises :class:`ImageRefused`."""
    image = open_image(data)
    kind = sniff(data) or ""
    dpi = image.info.get("dpi")
    icc = image.info.get("icc_profile")
    upright = image
    if image.getexif().get(ORIENTATION, 1) != 1:
        upright = ImageOps.exif_transpose(image)
    if icc:
        upright = _to_srgb(upright, icc)
    options: dict[str, Any] = {}
    if dpi:
        options["dpi"] = (round(float(dpi[0])), round(float(dpi[1])))
    buffer = BytesIO()
    if kind == "JPEG":
        if upright is image and image.format == "JPEG" and image.mode in {"RGB", "L"}:
            # untouched pixels: keep the original's quantisation, so that a photo that met
            # the size bounds still does and loses nothing visible
            image.info = {}
            image.save(buffer, "JPEG", quality="keep", subsampling="keep", **options)
        else:
            clean = upright.convert("L" if upright.mode == "L" else "RGB")
            clean.info = {}
            clean.save(buffer, "JPEG", quality=92, **options)
    else:
        clean = (
            upright
            if upright.mode in {"RGB", "RGBA", "L", "LA", "P", "1"}
            else upright.convert("RGBA")
        )
        clean = clean.copy()
        transparency = clean.info.get("transparency")
        clean.info = {}
        if transparency is not None:
            options["transparency"] = transparency
        clean.save(buffer, "PNG", **options)
    return buffer.getvalue(), kind


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """Pixels in a camera's colour space (Display P3, Adobe RGB) converted to sRGB, so that
    dropping the profile does not change the colours."""
    if image.mode not in {"RGB", "RGBA"}:
        return image
    try:
        source = ImageCms.ImageCmsProfile(BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: keep the pixels as they are
    return converted or image


def harden_image(
    upload: Any, *, max_bytes: int = PHOTO_MAX_BYTES, field: str = "photo"
) -> HardenedFile:
    """A JPEG or PNG upload, checked and re-encoded; anything else is refused with a
    ``DomainError`` on ``field``."""
    data = _read(upload, max_bytes=max_bytes, field=field)
    if sniff(data) not in {"JPEG", "PNG"}:
        raise DomainError(
            "只能上传JPG或PNG格式的图片（文件内容不是图片）", field=field, code="file_type"
        )
    try:
        clean, kind = reencode_image(data)
    except ImageRefused as refused:
        raise DomainError(refused.message, field=field, code="file_refused") from refused
    return HardenedFile(clean, CONTENT_TYPES[kind])


def harden_document(
    upload: Any, *, max_bytes: int = DOCUMENT_MAX_BYTES, field: str = "document"
) -> HardenedFile:
    """A document scan: a JPEG or PNG picture (hardened as above) or a PDF (rewritten)."""
    data = _read(upload, max_bytes=max_bytes, field=field)
    kind = sniff(data)
    if kind == "PDF":
        return HardenedFile(_rewrite_pdf(data, field=field), CONTENT_TYPES["PDF"])
    if kind not in {"JPEG", "PNG"}:
        raise DomainError(
            "只能上传JPG、PNG图片或PDF文件（文件内容与格式不符）", field=field, code="file_type"
        )
    try:
        clean, kind = reencode_image(data)
    except ImageRefused as refused:
        raise DomainError(refused.message, field=field, code="file_refused") from refused
    return HardenedFile(clean, CONTENT_TYPES[kind])


PDF_ACTIVE_KEYS = ("/AA", "/Annots", "/Metadata", "/PieceInfo")


def _rewrite_pdf(data: bytes, *, field: str) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    broken = DomainError("PDF文件已损坏或无法读取", field=field, code="file_refused")
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise DomainError("PDF文件已加密，请上传未加密的文件", field=field, code="file_refused")
        pages = len(reader.pages)
        if not 1 <= pages <= PDF_MAX_PAGES:
            raise DomainError(f"PDF文件需为1–{PDF_MAX_PAGES}页", field=field, code="file_refused")
        writer = PdfWriter()
        for page in reader.pages:
            # dropped before the copy, so that what they point to is never copied at all
            for key in PDF_ACTIVE_KEYS:
                page.pop(key, None)
            writer.add_page(page)
        buffer = BytesIO()
        writer.write(buffer)
    except DomainError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        raise broken from error
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Form-field validators (cheap: size and type by content; the service hardens fully)


@deconstructible
class UploadValidator:
    """``FileField(validators=[UploadValidator(max_bytes=..., types=("JPEG", "PNG"))])``."""

    def __init__(self, *, max_bytes: int, types: tuple[str, ...] = ("JPEG", "PNG")) -> None:
        self.max_bytes = max_bytes
        self.types = tuple(types)

    def __call__(self, upload: Any) -> None:
        if (getattr(upload, "size", 0) or 0) > self.max_bytes:
            raise ValidationError(f"文件过大，最大{self.max_bytes / MB:g}MB", code="file_too_large")
        if hasattr(upload, "seek"):
            upload.seek(0)
        head = upload.read(16)
        if hasattr(upload, "seek"):
            upload.seek(0)
        if sniff(head) not in self.types:
            names = "、".join("JPG" if t == "JPEG" else t for t in self.types)
            raise ValidationError(f"只能上传{names}格式的文件", code="file_type")

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, UploadValidator)
            and other.max_bytes == self.max_bytes
            and other.types == self.types
        )

    def __hash__(self) -> int:
        return hash((self.max_bytes, self.types))


validate_photo_upload = UploadValidator(max_bytes=PHOTO_MAX_BYTES, types=("JPEG", "PNG"))
validate_document_upload = UploadValidator(
    max_bytes=DOCUMENT_MAX_BYTES, types=("JPEG", "PNG", "PDF")
)
