"""Production's static storage works out each file's address once a process
(``sscard.core.staticfiles``): the addresses must be the manifest's, and a new manifest (the
next ``collectstatic``) must give the new ones."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from sscard.core.staticfiles import ManifestStaticFilesStorage


def storage_over(root, names: dict[str, str]) -> ManifestStaticFilesStorage:
    manifest = {"paths": names, "version": "1.1", "hash": "x"}
    (root / "staticfiles.json").write_text(json.dumps(manifest), encoding="utf-8")
    return ManifestStaticFilesStorage(location=root, base_url="/static/")


@override_settings(DEBUG=False)
def test_pages_link_the_hashed_names_of_the_manifest_read_at_start(tmp_path):
    storage = storage_over(tmp_path, {"portal/portal.css": "portal/portal.1a2b3c4d5e6f.css"})
    for _ in range(3):
        assert storage.url("portal/portal.css") == "/static/portal/portal.1a2b3c4d5e6f.css"
    # a file the manifest lacks is refused every time, never remembered as some address
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("portal/gone.css")
    # the next collectstatic writes a new manifest; the next process links its names
    later = storage_over(tmp_path, {"portal/portal.css": "portal/portal.99aa88bb77cc.css"})
    assert later.url("portal/portal.css") == "/static/portal/portal.99aa88bb77cc.css"
