"""Write a filled-in 批量申领 template and its photo ZIP, to try 单位批量申领 with the demo
employer (``demo_employer``): ``manage.py employer_sample --rows 50 --bad 5 --out var/demo``.
The employees are synthetic (valid ID numbers nobody holds); every photo is the demo portrait."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sscard.employers.samples import sample_files
from sscard.employers.sheets import MAX_ROWS
from sscard.regions.models import Bank


class Command(BaseCommand):
    help = "Write a sample bulk-application XLSX and photo ZIP for the demo employer."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rows", type=int, default=50)
        parser.add_argument("--bad", type=int, default=5, help="rows with a mistake each")
        parser.add_argument("--out", default="var/demo")
        parser.add_argument("--seed", type=int, default=20261129)
        parser.add_argument(
            "--first", type=int, default=0, help="first employee serial (a second file: 5000)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rows, bad = options["rows"], options["bad"]
        if not 1 <= rows <= MAX_ROWS or not 0 <= bad <= rows:
            raise CommandError(f"--rows must be 1–{MAX_ROWS} and --bad at most --rows")
        if not Bank.objects.filter(active=True).exists():
            raise CommandError("No partner bank yet: run `manage.py seed_demo` first")
        files = sample_files(rows, bad=bad, seed=options["seed"], first_serial=options["first"])
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        (out / "批量申领示例.xlsx").write_bytes(files.workbook)
        (out / "批量申领照片.zip").write_bytes(files.photos)
        self.stdout.write(
            f"{out / '批量申领示例.xlsx'} ({rows} rows, {bad} with a mistake) and "
            f"{out / '批量申领照片.zip'} ({len(files.doc_numbers)} photos)"
        )
