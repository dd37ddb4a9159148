"""manage.py photos: a folder of photos checked, or fixed into another folder, with a
summary table."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sscard.photos.check import check_photo
from sscard.testing import photos

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "张三.jpg").write_bytes(photos.jpeg_with_gps())
    (source / "studio_001.jpg").write_bytes(photos.light_portrait())
    (source / "group.jpg").write_bytes(photos.two_faces_portrait())
    (source / "notes.jpg").write_bytes(photos.HTML_AS_JPG)
    return source


def run(*args, verbosity=1):
    out, err = StringIO(), StringIO()
    call_command("photos", *args, stdout=out, stderr=err, verbosity=verbosity)
    return out.getvalue(), err.getvalue()


def row(output: str, name: str) -> str:
    return next(line for line in output.splitlines() if line.startswith(name))


def test_a_folder_is_checked_and_summed_up(folder):
    out, _ = run(str(folder))

    assert out.splitlines()[0].split() == ["文件", "结果", "说明"]
    assert row(out, "张三.jpg").split()[1] == "合格"
    assert row(out, "studio_001.jpg").split()[1] == "不合格"
    assert "照片尺寸需为358×441像素" in row(out, "studio_001.jpg")
    assert "检测到多张人脸" in row(out, "group.jpg")
    assert "只能上传JPG或PNG格式的图片" in row(out, "notes.jpg")
    assert out.splitlines()[-1] == "共4张：合格1张，已修正0张，不合格3张"


def test_fixing_writes_compliant_photos_to_the_output_folder_and_leaves_originals(
    folder, tmp_path, region
):
    out_dir = tmp_path / "out"
    before = (folder / "studio_001.jpg").read_bytes()

    out, _ = run(str(folder), "--fix", "--out", str(out_dir))

    assert row(out, "studio_001.jpg").split()[1] == "已修正"
    assert row(out, "group.jpg").split()[1] == "不合格"
    assert out.splitlines()[-1] == "共4张：合格1张，已修正1张，不合格2张"
    assert sorted(p.name for p in out_dir.iterdir()) == ["studio_001.jpg", "张三.jpg"]
    assert check_photo((out_dir / "studio_001.jpg").read_bytes(), region=region).ok
    # the compliant one is copied without its GPS position
    assert b"PhoneMaker" not in (out_dir / "张三.jpg").read_bytes()
    assert (folder / "studio_001.jpg").read_bytes() == before


def test_a_sideways_photo_is_judged_the_way_up_its_camera_meant(tmp_path):
    (tmp_path / "turned.jpg").write_bytes(photos.jpeg_with_gps(orientation=6))

    out, _ = run(str(tmp_path))

    assert row(out, "turned.jpg").split()[1] == "合格"


def test_two_originals_with_one_name_do_not_overwrite_each_other(tmp_path):
    source, target = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    (source / "a.jpg").write_bytes(photos.compliant_photo())
    (source / "a.png").write_bytes(photos.png_photo())

    run(str(source), "--fix", "--out", str(target))

    assert sorted(p.name for p in target.iterdir()) == ["a-2.jpg", "a.jpg"]


def test_a_progress_bar_is_drawn_for_a_person_watching(folder):
    _, err = run(str(folder), verbosity=2)

    assert "4/4" in err and "█" in err


def test_fixing_needs_an_output_folder_other_than_the_originals(folder):
    with pytest.raises(CommandError, match="--out"):
        run(str(folder), "--fix")
    with pytest.raises(CommandError, match="不能与照片所在文件夹相同"):
        run(str(folder), "--fix", "--out", str(folder))
    with pytest.raises(CommandError, match="文件夹不存在"):
        run(str(folder / "nope"))
