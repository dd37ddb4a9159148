"""``manage.py photos <folder> [--fix --out DIR]``: check (or fix) a folder of card photos, for
photo studios and bulk applications. A progress bar while it works, then a summary table.
Each photo is treated as an upload would be: turned upright by its EXIF orientation and
stripped of its metadata before the check. Originals are never changed: fixed photos (and the
compliant ones, with their metadata stripped) are written to ``--out``."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sscard.core.errors import DomainError
from sscard.photos.check import check_photo
from sscard.photos.spec import SizeBounds
from sscard.photos.uploads import PHOTO_MAX_BYTES, harden_image
from sscard.photos.verdict import examine_photo
from sscard.regions.selectors import region_settings

BAR_WIDTH = 30
PASSED, FIXED, FAILED = "合格", "已修正", "不合格"


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _unique(folder: Path, stem: str) -> Path:
    """``stem.jpg`` in ``folder``, numbered when two originals share a stem (a.png, a.jpg)."""
    target = folder / f"{stem}.jpg"
    number = 2
    while target.exists():
        target = folder / f"{stem}-{number}.jpg"
        number += 1
    return target


class Command(BaseCommand):
    help = "检查（或自动修正）一个文件夹中的社会保障卡证件照，输出汇总表。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="照片所在文件夹")
        parser.add_argument("--fix", action="store_true", help="自动修正不合格的照片")
        parser.add_argument("--out", type=Path, help="修正后照片的输出文件夹（与 --fix 同用）")

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        fix: bool = options["fix"]
        out: Path | None = options["out"]
        if not folder.is_dir():
            raise CommandError(f"文件夹不存在：{folder}")
        if fix and out is None:
            raise CommandError("使用 --fix 时须用 --out 指定输出文件夹（原照片不会被改动）")
        if out is not None and not fix:
            raise CommandError("--out 只与 --fix 同用")
        if out is not None:
            if out.resolve() == folder.resolve():
                raise CommandError("输出文件夹不能与照片所在文件夹相同")
            out.mkdir(parents=True, exist_ok=True)

        files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        bounds = SizeBounds.of(region_settings())
        # the bar is for a person at a terminal (or asked for with -v 2), not for logs
        self.show_progress = self.stderr.isatty() or options["verbosity"] >= 2
        rows: list[tuple[str, str, str]] = []
        for index, path in enumerate(files, start=1):
            self._progress(index - 1, len(files), path.name)
            rows.append(self._one(path, bounds, out if fix else None))
        self._progress(len(files), len(files), "")
        if self.show_progress:
            self.stderr.write("")
        self._summary(rows)

    def _one(self, path: Path, bounds: SizeBounds, out: Path | None) -> tuple[str, str, str]:
        """One photo as an upload would be treated: hardened (turned upright by its EXIF
        orientation, metadata stripped), checked, and with ``out`` fixed where it can be."""
        if path.stat().st_size > PHOTO_MAX_BYTES:
            return path.name, FAILED, f"文件过大（超过{PHOTO_MAX_BYTES // (1024 * 1024)}MB）"
        upload = ContentFile(path.read_bytes(), name=path.name)
        if out is None:
            try:
                data = harden_image(upload, max_bytes=PHOTO_MAX_BYTES).read()
            except DomainError as refused:
                return path.name, FAILED, refused.message
            report = check_photo(data, region=bounds)
            return path.name, (PASSED if report.ok else FAILED), "；".join(report.messages)
        verdict = examine_photo(upload, region=bounds)
        if not verdict.ok or verdict.data is None:
            return path.name, FAILED, verdict.reason
        _unique(out, path.stem).write_bytes(verdict.data)
        if verdict.original is None:
            return path.name, PASSED, ""
        return path.name, FIXED, f"已自动裁剪调整（原照片{len(verdict.original.findings)}项不合格）"

    def _progress(self, done: int, total: int, name: str) -> None:
        if not self.show_progress:
            return
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        self.stderr.write(f"\r{bar} {done}/{total} {name[:40]:<40}", ending="")
        self.stderr.flush()

    def _summary(self, rows: list[tuple[str, str, str]]) -> None:
        headers = ("文件", "结果", "说明")
        name_width = max([display_width(headers[0]), *(display_width(r[0]) for r in rows)])
        result_width = max(display_width(h) for h in (headers[1], PASSED, FIXED, FAILED))
        line = f"{pad(headers[0], name_width)}  {pad(headers[1], result_width)}  {headers[2]}"
        self.stdout.write(line)
        self.stdout.write("-" * (name_width + result_width + 4 + 20))
        for name, result, note in rows:
            self.stdout.write(f"{pad(name, name_width)}  {pad(result, result_width)}  {note}")
        counts = {k: sum(1 for r in rows if r[1] == k) for k in (PASSED, FIXED, FAILED)}
        self.stdout.write(
            f"共{len(rows)}张：合格{counts[PASSED]}张，已修正{counts[FIXED]}张，"
            f"不合格{counts[FAILED]}张"
        )
