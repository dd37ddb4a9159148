"""Real photographs for the photo tests, made from the one portrait that ships inside
scikit-image's wheel (``skimage.data.astronaut()``: NASA's public-domain portrait of Eileen
Collins). Nothing is downloaded: the person is cut out of her studio backdrop once per process
(GrabCut, seeded so it is repeatable) and composited onto whatever background a test needs.

Every helper returns the bytes a citizen's phone would upload."""

from __future__ import annotations

import struct
import zlib
from functools import cache
from io import BytesIO

import cv2
import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# Where the portrait's face is (OpenCV's frontal-face Haar cascade, measured once) and the
# spec geometry the compliant photo is cut to.
ASTRONAUT_FACE = (177, 66, 95, 95)
SPEC_SIZE = (358, 441)
FACE_WIDTH = 215
HEAD_TOP = 14

WHITE = (255, 255, 255)
LIGHT = (238, 236, 231)
BLUE = (67, 142, 219)  # the usual blue of a passport-style photo
DARK = (52, 54, 60)


@cache
def _astronaut() -> tuple[np.ndarray, np.ndarray]:
    """The portrait (RGB) and an alpha mask of the person in it (float, 0..1)."""
    from skimage import data

    rgb = data.astronaut()
    height, width = rgb.shape[:2]
    mask = np.full((height, width), cv2.GC_BGD, np.uint8)
    mask[5:height, 105:375] = cv2.GC_PR_BGD
    mask[20:300, 130:330] = cv2.GC_PR_FGD
    x, y, w, h = ASTRONAUT_FACE
    mask[y + 10 : y + h, x + 10 : x + w - 10] = cv2.GC_FGD  # the face
    mask[y + h : 240, x + 15 : x + w - 15] = cv2.GC_FGD  # chin, neck and collar
    mask[300:512, 150:300] = cv2.GC_FGD  # the suit
    cv2.setRNGSeed(20260101)
    background_model = np.zeros((1, 65), np.float64)
    foreground_model = np.zeros((1, 65), np.float64)
    cv2.grabCut(
        cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR),
        mask,
        (0, 0, 0, 0),
        background_model,
        foreground_model,
        6,
        cv2.GC_INIT_WITH_MASK,
    )
    person = np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.uint8)
    # keep the one big shape (the person), fill its holes, soften its edge
    count, labels, stats, _ = cv2.connectedComponentsWithStats(person)
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA])) if count > 1 else 0
    person = (labels == biggest).astype(np.uint8)
    person = cv2.morphologyEx(person, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    alpha = cv2.GaussianBlur(person.astype(np.float32), (5, 5), 0)
    return rgb, alpha


def _head_top() -> int:
    """The first row of the portrait where the person's hair begins, above the face."""
    _, alpha = _astronaut()
    x, _, w, _ = ASTRONAUT_FACE
    rows = np.nonzero(alpha[:, x : x + w].max(axis=1) > 0.5)[0]
    return int(rows[0])


def portrait(background: tuple[int, int, int] = WHITE, *, scale: float = 1.0) -> Image.Image:
    """The person on a plain background, the whole 512×512 frame, optionally scaled."""
    rgb, alpha = _astronaut()
    a = alpha[..., None]
    composite = rgb.astype(np.float32) * a + np.array(background, np.float32) * (1 - a)
    image = Image.fromarray(np.clip(composite + 0.5, 0, 255).astype(np.uint8), "RGB")
    if scale != 1.0:
        size = (round(image.width * scale), round(image.height * scale))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return image


def encode_jpeg(image: Image.Image, *, quality: int = 90, dpi: int | None = 350, **extra) -> bytes:
    buffer = BytesIO()
    options = {"quality": quality, **extra}
    if dpi:
        options["dpi"] = (dpi, dpi)
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def spec_crop(
    background: tuple[int, int, int] = WHITE,
    *,
    face_width: int = FACE_WIDTH,
    head_top: int = HEAD_TOP,
    centre_x: float = SPEC_SIZE[0] / 2,
) -> Image.Image:
    """The person cut to the spec geometry by hand: by default face 215 px wide, top of head
    14 px below the top edge, centred (computed from the portrait's known face, not by the
    fixer); the keywords cut it wrong on purpose."""
    x, _, w, _ = ASTRONAUT_FACE
    s = face_width / w
    out_w, out_h = SPEC_SIZE
    left = x + w / 2 - centre_x / s
    top = _head_top() - head_top / s
    margin = 200  # backdrop around the portrait, for cuts that reach past its edges
    framed = Image.new("RGB", (512 + 2 * margin, 512 + 2 * margin), background)
    framed.paste(portrait(background), (margin, margin))
    box = (left + margin, top + margin, left + margin + out_w / s, top + margin + out_h / s)
    return framed.resize(SPEC_SIZE, Image.Resampling.LANCZOS, box=box)


@cache
def compliant_photo() -> bytes:
    """A photo that meets every rule of the card photo spec."""
    return encode_jpeg(spec_crop())


@cache
def light_portrait() -> bytes:
    """A large phone-style portrait (1280×1280, 72 dpi) on a light backdrop: fixable."""
    return encode_jpeg(portrait(LIGHT, scale=2.5), quality=92, dpi=72)


@cache
def small_face_portrait() -> bytes:
    """The same light-background portrait at its original size: the face is too small."""
    return encode_jpeg(portrait(LIGHT), quality=92, dpi=72)


@cache
def coloured_background_photo() -> bytes:
    """The right geometry on a blue backdrop."""
    return encode_jpeg(spec_crop(BLUE))


@cache
def coloured_background_portrait() -> bytes:
    """A large portrait on a blue backdrop: cannot be fixed."""
    return encode_jpeg(portrait(BLUE, scale=2.5), quality=92, dpi=72)


@cache
def dark_background_portrait() -> bytes:
    return encode_jpeg(portrait(DARK, scale=2.5), quality=92, dpi=72)


@cache
def two_faces_portrait() -> bytes:
    """Two people side by side on white."""
    single = portrait(WHITE, scale=2.0)
    canvas = Image.new("RGB", (single.width * 2 - 200, single.height), WHITE)
    canvas.paste(single, (0, 0))
    right = single.crop((200, 0, single.width, single.height))
    canvas.paste(right, (single.width, 0))
    return encode_jpeg(canvas, quality=90, dpi=72)


@cache
def second_person_photo() -> bytes:
    """The compliant photo with a second, smaller person in front of the first, bottom left (a
    child held up, say): their face 110 px wide, about half the applicant's."""
    rgb, alpha = _astronaut()
    x, y, w, h = ASTRONAUT_FACE
    box = (x - 25, y - 35, x + w + 25, y + h + 20)
    scale = 110 / w
    size = (round((box[2] - box[0]) * scale), round((box[3] - box[1]) * scale))
    head = Image.fromarray(rgb).crop(box).resize(size, Image.Resampling.LANCZOS)
    mask = Image.fromarray((alpha * 255).astype(np.uint8)).crop(box)
    image = spec_crop()
    image.paste(head, (0, SPEC_SIZE[1] - size[1]), mask.resize(size, Image.Resampling.LANCZOS))
    return encode_jpeg(image)


@cache
def no_face_photo() -> bytes:
    """The right size and background, but no person: a blank white frame."""
    return encode_jpeg(Image.new("RGB", SPEC_SIZE, WHITE), quality=95, subsampling=0)


@cache
def tiny_photo() -> bytes:
    """The compliant photo shrunk to a thumbnail (90×111)."""
    return encode_jpeg(spec_crop().resize((90, 111), Image.Resampling.LANCZOS), quality=90)


@cache
def grey_photo() -> bytes:
    """The compliant photo in black and white (an 8-bit greyscale JPEG)."""
    return encode_jpeg(spec_crop().convert("L"))


@cache
def dark_photo() -> bytes:
    """The compliant photo taken in a dim room."""
    array = np.asarray(spec_crop(), np.float32) * 0.22
    return encode_jpeg(Image.fromarray(array.astype(np.uint8), "RGB"))


@cache
def blurred_photo() -> bytes:
    array = cv2.GaussianBlur(np.asarray(spec_crop()), (0, 0), 6)
    return encode_jpeg(Image.fromarray(array, "RGB"))


@cache
def png_photo() -> bytes:
    buffer = BytesIO()
    spec_crop().save(buffer, "PNG", dpi=(350, 350))
    return buffer.getvalue()


def mpo_photo() -> bytes:
    """The compliant photo as a phone's multi-picture JPEG (MPO), a small preview appended."""
    image = spec_crop()
    buffer = BytesIO()
    preview = image.resize((120, 148))
    image.save(buffer, "MPO", save_all=True, append_images=[preview], quality=90, dpi=(350, 350))
    return buffer.getvalue()


GPS_IFD = 0x8825


@cache
def jpeg_with_gps(*, orientation: int = 1) -> bytes:
    """The compliant photo as a phone saves it: camera make and model, a GPS position and,
    with ``orientation=6``, the pixels stored turned a quarter and the turn noted in EXIF."""
    image = spec_crop()
    if orientation == 6:
        image = image.transpose(Image.Transpose.ROTATE_90)  # viewers turn it back 90° clockwise
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif[0x0112] = orientation  # Orientation
    exif[0x0131] = "Camera 2.0"  # Software
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (23.0, 32.0, 51.84)
    gps[3] = "E"
    gps[4] = (116.0, 22.0, 20.4)
    return encode_jpeg(image, exif=exif.tobytes())


@cache
def bomb_png(side: int = 20_000) -> bytes:
    """A valid, small PNG that claims side × side pixels (1-bit greyscale, all black): a
    decompression bomb of 400 million pixels in about 50 KB."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    row = b"\x00" * (1 + (side + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


HTML_AS_JPG = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def pdf_document(*, javascript: bool = False) -> bytes:
    """A one-page PDF scan; with ``javascript=True`` it also carries an OpenAction script and
    document metadata, as a booby-trapped upload would."""
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Author": "张三", "/Producer": "ScannerApp GPS 23.5N 116.3E"})
    if javascript:
        script = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('hi');"),
            }
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(script)
        page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(script)})
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)
