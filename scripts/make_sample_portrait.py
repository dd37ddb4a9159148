"""Write sscard/photos/data/sample_portrait.jpg, the card photo the demo data uses.

It is cut by sscard.testing.photos from the portrait that ships in scikit-image's wheel
(skimage.data.astronaut(): NASA's public-domain portrait of Eileen Collins) and meets every
rule of the card photo spec. Run it again only if that geometry changes:

    .venv/bin/python scripts/make_sample_portrait.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django  # noqa: E402

django.setup()

from sscard.photos.check import check_photo  # noqa: E402
from sscard.photos.spec import SizeBounds  # noqa: E402
from sscard.testing.photos import compliant_photo  # noqa: E402

data = compliant_photo()
report = check_photo(data, region=SizeBounds(min_kb=9, max_kb=60))
if not report.ok:
    sys.exit("the sample portrait does not meet the spec: " + "; ".join(report.messages))
target = ROOT / "sscard" / "photos" / "data" / "sample_portrait.jpg"
target.write_bytes(data)
print(f"{target.relative_to(ROOT)}: {len(data)} bytes")
