"""Check a card photo against the card photo spec and say precisely what is wrong.

``check_photo(data)`` returns a :class:`PhotoReport` with every failed rule, each with a
Chinese explanation and the measured value, and the measurements themselves (stored on the
material for the staff). Plain Python: Pillow, NumPy and OpenCV's Haar cascades (shipped in
the ``opencv-python-headless`` 4.x wheel), loaded once per process and thread."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from PIL import Image

from sscard.photos import spec
from sscard.photos.imaging import ImageRefused, open_image, reduced, to_rgb
from sscard.photos.spec import SizeBounds

if TYPE_CHECKING:
    from sscard.regions.models import RegionSettings

# Faces are looked for on a copy no larger than this (the cascade's cost grows with area); a
# card photo (441 px high) is searched as it is.
DETECT_MAX_SIDE = 480
# The cascade's own window (px): nothing smaller is found.
MIN_WINDOW = 24
# Faces are looked for from this share of the search copy's shorter side (a face large enough
# for a card photo), and when there is none, from the smaller share (a face too small).
LARGE_FACE_SHARE = 5
SMALL_FACE_SHARE = 12
BAND = 6  # px: the border band that must be background
EYE_ROI_WIDTH = 120


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    measured: str


@dataclass(frozen=True)
class PhotoReport:
    ok: bool
    findings: tuple[Finding, ...]
    measurements: dict[str, Any] = field(default_factory=dict)

    @property
    def messages(self) -> list[str]:
        return [
            f"{f.message}（实测：{f.measured}）" if f.measured else f.message for f in self.findings
        ]

    @property
    def rules(self) -> set[str]:
        return {f.rule for f in self.findings}

    def as_dict(self) -> dict[str, Any]:
        """JSON for the database (``Material.photo_check``)."""
        return {
            "ok": self.ok,
            "findings": [
                {"rule": f.rule, "message": f.message, "measured": f.measured}
                for f in self.findings
            ],
            "measurements": self.measurements,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PhotoReport:
        return cls(
            ok=bool(data.get("ok")),
            findings=tuple(Finding(**f) for f in data.get("findings", ())),
            measurements=dict(data.get("measurements", {})),
        )


# ---------------------------------------------------------------------------------------------
# The cascades: loaded once per process (and per thread: a classifier is not shared between
# threads, OpenCV does not promise that its detection is thread-safe)

_local = threading.local()


def cascade(name: str) -> cv2.CascadeClassifier:
    cache: dict[str, cv2.CascadeClassifier] | None = getattr(_local, "cascades", None)
    if cache is None:
        cache = _local.cascades = {}
    if name not in cache:
        folder = cv2.data.haarcascades  # type: ignore[attr-defined]  # cv2's stubs omit cv2.data
        classifier = cv2.CascadeClassifier(folder + name)
        if classifier.empty():  # pragma: no cover — the wheel ships them
            raise RuntimeError(f"OpenCV cascade {name} is missing")
        cache[name] = classifier
    return cache[name]


FACE_CASCADE = "haarcascade_frontalface_default.xml"
EYE_CASCADE = "haarcascade_eye.xml"
GLASSES_EYE_CASCADE = "haarcascade_eye_tree_eyeglasses.xml"


# ---------------------------------------------------------------------------------------------
# Measurements shared with the fixer


Box = tuple[int, int, int, int]


def detect_faces(gray: np.ndarray, *, narrowest: float) -> list[Box]:
    """Frontal faces, largest first. Detections under half the largest's width are texture,
    not a second person, and are dropped.

    The cascade's cost lies in its smallest windows, so the search starts large: at a fifth
    of the copy's shorter side (a face large enough for a card photo, in a larger picture to
    be cropped), or at half of ``narrowest`` (px of ``gray``: the narrowest face the caller
    accepts) where that is larger — in a card-sized photo, 90 px rather than 71. Not larger
    than that half: beside an acceptable face, a second person down to half its width still
    counts; and the cascade averages a face's box over the window sizes that found it, so a
    search started near the face's own size measures it wider (a card photo's face by
    4–15 %). Only when no face is found, smaller ones are looked for too, so that "the face
    is too small" can be told apart from "no face"."""
    height, width = gray.shape
    factor = min(1.0, DETECT_MAX_SIDE / max(height, width))
    small = gray
    if factor < 1.0:
        small = cv2.resize(
            gray, (round(width * factor), round(height * factor)), interpolation=cv2.INTER_AREA
        )
    smallest = max(MIN_WINDOW, min(small.shape) // SMALL_FACE_SHARE)
    start = max(MIN_WINDOW, min(small.shape) // LARGE_FACE_SHARE, round(narrowest / 2 * factor))
    found = _search(small, start)
    if not len(found) and start > smallest:
        found = _search(small, smallest)
    boxes = sorted(
        (tuple(round(v / factor) for v in box) for box in found),
        key=lambda b: -b[2],
    )
    if not boxes:
        return []
    return [b for b in boxes if b[2] >= boxes[0][2] / 2]


def _search(small: np.ndarray, smallest: int) -> Any:
    return cascade(FACE_CASCADE).detectMultiScale(
        small, scaleFactor=1.1, minNeighbors=5, minSize=(smallest, smallest)
    )


def refine_face(gray: np.ndarray, face: Box) -> Box:
    """The face measured again at the scale of a card photo (about 215 px wide), around where
    the search on the reduced copy found it: the cascade's box size depends on the scale it
    is measured at, so the fixer measures as the check will."""
    x, y, w, h = face
    margin = w * 6 // 10
    x0, y0 = max(0, x - margin), max(0, y - margin)
    x1, y1 = min(gray.shape[1], x + w + margin), min(gray.shape[0], y + h + margin)
    factor = spec.TARGET_FACE_WIDTH / w
    roi = cv2.resize(
        gray[y0:y1, x0:x1],
        (max(1, round((x1 - x0) * factor)), max(1, round((y1 - y0) * factor))),
        interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR,
    )
    side = round(spec.TARGET_FACE_WIDTH * 0.6)
    found = cascade(FACE_CASCADE).detectMultiScale(
        roi, scaleFactor=1.05, minNeighbors=5, minSize=(side, side)
    )
    if not len(found):
        return face
    fx, fy, fw, fh = max(found, key=lambda b: b[2])
    return (
        x0 + round(fx / factor),
        y0 + round(fy / factor),
        round(fw / factor),
        round(fh / factor),
    )


@dataclass(frozen=True)
class Eyes:
    mid_x: float
    y: float
    estimated: bool


def locate_eyes(gray: np.ndarray, face: Box) -> Eyes:
    """The midpoint between the eyes: from the eye cascade in the face's upper part (then the
    one trained on eyes behind glasses), or, when neither finds a left-right pair, where eyes
    sit in a frontal face box."""
    x, y, w, h = face
    top = gray[y : y + h * 6 // 10, x : x + w]
    # at a fixed width of EYE_ROI_WIDTH px, eyes are 15–50 px wide
    factor = EYE_ROI_WIDTH / w
    roi = cv2.resize(
        top, (EYE_ROI_WIDTH, max(1, round(top.shape[0] * factor))), interpolation=cv2.INTER_AREA
    )
    for name in (EYE_CASCADE, GLASSES_EYE_CASCADE):
        pair = _eye_pair(
            cascade(name).detectMultiScale(
                roi, scaleFactor=1.1, minNeighbors=5, minSize=(14, 14), maxSize=(54, 54)
            )
        )
        if pair is not None:
            (lx, ly), (rx, ry) = pair
            return Eyes(
                mid_x=x + (lx + rx) / 2 / factor, y=y + (ly + ry) / 2 / factor, estimated=False
            )
    return Eyes(mid_x=x + w / 2, y=y + h * 0.38, estimated=True)


def _eye_pair(found: Any) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The likeliest left and right eye among the detections: one each side of the middle, at
    about the same height, a plausible distance apart; the largest such pair."""
    half = EYE_ROI_WIDTH / 2
    centres = [(ex + ew / 2, ey + eh / 2, ew) for ex, ey, ew, eh in found]
    pairs = [
        (lc, rc)
        for lc in centres
        if lc[0] < half
        for rc in centres
        if rc[0] >= half
        and abs(lc[1] - rc[1]) < 0.15 * EYE_ROI_WIDTH
        and rc[0] - lc[0] > 0.2 * EYE_ROI_WIDTH
    ]
    if not pairs:
        return None
    lc, rc = max(pairs, key=lambda p: p[0][2] + p[1][2])
    return (lc[0], lc[1]), (rc[0], rc[1])


def background_colour(rgb: np.ndarray) -> np.ndarray:
    """The backdrop's colour: the median of the two top corners."""
    side = max(4, min(rgb.shape[:2]) // 30)
    corners = np.concatenate([rgb[:side, :side].reshape(-1, 3), rgb[:side, -side:].reshape(-1, 3)])
    return np.median(corners, axis=0)


def head_top(rgb: np.ndarray, face: Box) -> int:
    """The first row from the top where the head (hair) stands out from the backdrop, looked
    for in the face's columns. 0 when the head touches or leaves the top edge."""
    x, _, w, _ = face
    columns = rgb[:, x + w // 10 : x + w - w // 10].astype(np.int32)
    distance = np.sqrt(((columns - background_colour(rgb).astype(np.int32)) ** 2).sum(axis=2))
    share = (distance > 40).mean(axis=1)
    rows = np.nonzero(share > 0.05)[0]
    return int(rows[0]) if rows.size else rgb.shape[0]


@dataclass(frozen=True)
class Backdrop:
    light_share: float
    colour: tuple[int, int, int]

    @property
    def ok(self) -> bool:
        return self.light_share >= spec.MIN_BACKGROUND_LIGHT_SHARE


def backdrop(rgb: np.ndarray, band: int = BAND) -> Backdrop:
    """How much of the border band (the top edge and both sides of the upper half, where only
    backdrop belongs) is light and unsaturated."""
    height = rgb.shape[0]
    upper = height * 55 // 100
    pixels = np.concatenate(
        [
            rgb[:band].reshape(-1, 3),
            rgb[band:upper, :band].reshape(-1, 3),
            rgb[band:upper, -band:].reshape(-1, 3),
        ]
    ).astype(np.int32)
    high = pixels.max(axis=1)
    low = pixels.min(axis=1)
    light = (low >= 190) & ((high - low) <= 0.15 * np.maximum(high, 1))
    colour = pixels.mean(axis=0)
    return Backdrop(
        light_share=round(float(light.mean()), 3),
        colour=(int(colour[0]), int(colour[1]), int(colour[2])),
    )


def face_brightness(gray: np.ndarray, face: Box | None) -> float:
    region = _face_region(gray, face)
    return round(float(region.mean()), 1)


def sharpness(gray: np.ndarray, face: Box | None) -> float:
    """Variance of the Laplacian over the face, at a fixed scale (200 px wide)."""
    region = _face_region(gray, face)
    factor = 200 / region.shape[1]
    region = cv2.resize(
        region, (200, max(1, round(region.shape[0] * factor))), interpolation=cv2.INTER_AREA
    )
    return round(float(cv2.Laplacian(region, cv2.CV_64F).var()), 1)


def _face_region(gray: np.ndarray, face: Box | None) -> np.ndarray:
    if face is None:
        return gray
    x, y, w, h = face
    return gray[y + h // 8 : y + h - h // 8, x + w // 8 : x + w - w // 8]


# ---------------------------------------------------------------------------------------------
# The check

MODE_NAMES = {
    "RGB": "24位彩色",
    "L": "8位灰度",
    "LA": "灰度带透明通道",
    "1": "1位黑白",
    "P": "8位调色板",
    "RGBA": "32位（带透明通道）",
    "CMYK": "32位CMYK",
    "I;16": "16位灰度",
}


def _dpi(image: Image.Image) -> tuple[int, int] | None:
    """The resolution the file states, or None (absent, or nonsense such as 0/0)."""
    value = image.info.get("dpi")
    try:
        return (round(float(value[0])), round(float(value[1]))) if value else None
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def _band(value: float, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= value <= bounds[1]


def check_photo(data: bytes, *, region: RegionSettings | SizeBounds | None = None) -> PhotoReport:
    """Every rule of the card photo spec that ``data`` breaks. ``region`` gives the file-size bounds
    (default: the deployment's region settings). ``data`` is judged as stored: an upload is
    hardened first (turned upright by its EXIF orientation), see ``verdict.examine_photo``."""
    bounds = SizeBounds.of(region)
    findings: list[Finding] = []
    m: dict[str, Any] = {"file_kb": round(len(data) / 1024, 1)}

    def fail(rule: str, message: str, measured: str) -> None:
        findings.append(Finding(rule, message, measured))

    try:
        image = open_image(data)
    except ImageRefused as refused:
        fail("format", refused.message, refused.measured)
        return PhotoReport(ok=False, findings=tuple(findings), measurements=m)

    file_format = "JPEG" if image.format == "MPO" else image.format
    m.update(format=file_format, mode=image.mode, width=image.width, height=image.height)
    dpi = _dpi(image)
    m["dpi"] = list(dpi) if dpi else None

    if file_format != "JPEG":
        fail("format", "照片需为JPG（JPEG）格式", str(file_format))
    if image.size != (spec.WIDTH, spec.HEIGHT):
        fail(
            "size",
            f"照片尺寸需为{spec.WIDTH}×{spec.HEIGHT}像素（宽×高）",
            f"{image.width}×{image.height}像素",
        )
    if not dpi or m["dpi"] != [spec.DPI, spec.DPI]:
        fail(
            "dpi",
            f"照片分辨率需为{spec.DPI}dpi",
            f"{m['dpi'][0]}dpi" if m["dpi"] else "未标注分辨率",
        )
    if not _band(len(data) / 1024, (bounds.min_kb, bounds.max_kb)):
        fail(
            "file_size",
            f"照片文件大小需在{bounds.min_kb}–{bounds.max_kb}KB之间",
            f"{m['file_kb']}KB",
        )

    # the pixels are analysed on a bounded copy (a spec-sized photo is its own copy): the
    # rules above already refused a larger one's size, the rest is said about the picture
    work = reduced(image)
    rgb = np.asarray(to_rgb(work))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    spread = float(np.abs(rgb.astype(np.int16) - gray[..., None]).mean())
    m["colour_spread"] = round(spread, 2)
    if image.mode != "RGB":
        fail("colour", "照片需为24位真彩色（RGB）", MODE_NAMES.get(image.mode, image.mode))
    elif spread < 1.0:
        fail("colour", "照片需为彩色照片，不能是黑白照片", "黑白")

    # a face narrower than the spec's cannot pass (the fixer looks at larger photos itself)
    faces = detect_faces(gray, narrowest=spec.FACE_WIDTH[0])
    m["faces"] = len(faces)
    face = faces[0] if len(faces) == 1 else None
    if face is not None and max(work.size) > DETECT_MAX_SIDE:
        face = refine_face(gray, face)  # found on a reduced copy: measure it at full size
    if not faces:
        fail("face", "未检测到正面人脸，请上传本人正面、免冠、露出五官的照片", "0张")
    elif len(faces) > 1:
        fail("face", "照片中只能有本人一人，检测到多张人脸", f"{len(faces)}张")

    if face is not None:
        x, y, w, h = face
        eyes = locate_eyes(gray, face)
        top = head_top(rgb, face)
        from_bottom = work.height - eyes.y
        m.update(
            face_box=[x, y, w, h],
            face_width=w,
            head_top=top,
            eye_mid_x=round(eyes.mid_x),
            eye_y=round(eyes.y),
            eye_line_from_bottom=round(from_bottom),
            eyes_estimated=eyes.estimated,
        )
        if not _band(w, spec.FACE_WIDTH):
            fail("face_width", "人脸宽度需为179–255像素", f"{w}像素")
        if not _band(top, spec.HEAD_TOP):
            fail("head_top", "头顶距照片上边缘需为7–21像素", f"{top}像素")
        if not _band(round(eyes.mid_x), spec.EYE_MID_X):
            fail(
                "eye_x",
                "两眼中点距照片左边缘需为162–196像素（人像需居中）",
                f"{round(eyes.mid_x)}像素",
            )
        if round(from_bottom) < spec.EYE_LINE_MIN_FROM_BOTTOM:
            fail(
                "eye_line",
                f"眼睛所在水平线距照片下边缘需不少于{spec.EYE_LINE_MIN_FROM_BOTTOM}像素",
                f"{round(from_bottom)}像素",
            )

    back = backdrop(rgb)
    m.update(background_light_share=back.light_share, background_rgb=list(back.colour))
    if not back.ok:
        fail(
            "background",
            "背景需为白色（浅色、无边框）",
            f"浅色占{back.light_share:.0%}，平均颜色RGB{back.colour}",
        )

    brightness = face_brightness(gray, face)
    m["face_brightness"] = brightness
    if brightness < spec.MIN_FACE_BRIGHTNESS:
        fail("exposure", "照片过暗，面部看不清，请在光线充足处拍摄", f"亮度{brightness:.0f}")
    elif brightness > spec.MAX_FACE_BRIGHTNESS:
        fail("exposure", "照片过亮（曝光过度），面部细节丢失", f"亮度{brightness:.0f}")

    sharp = sharpness(gray, face)
    m["sharpness"] = sharp
    if sharp < spec.MIN_SHARPNESS:
        fail("sharpness", "照片模糊，请对焦清晰后重新拍摄", f"清晰度{sharp:.0f}")

    return PhotoReport(ok=not findings, findings=tuple(findings), measurements=m)


def encode_jpeg(image: Image.Image, *, quality: int) -> bytes:
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=quality, dpi=(spec.DPI, spec.DPI), optimize=True)
    return buffer.getvalue()
