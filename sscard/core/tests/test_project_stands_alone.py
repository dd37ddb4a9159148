"""The project stands alone: its README, documents and code cite no path outside the
repository (a reader of the repository cannot open the machine's other folders)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
OUTSIDE = "/" + "work/"  # a path of the machine the project was built on
TEXT_SUFFIXES = {
    ".py",
    ".md",
    ".html",
    ".txt",
    ".toml",
    ".cfg",
    ".example",
    ".lua",
    ".css",
    ".js",
    ".po",
}


def _project_files() -> list[Path]:
    files = [p for p in ROOT.iterdir() if p.is_file() and p.suffix in TEXT_SUFFIXES | {""}]
    for folder in ("sscard", "config", "scripts", "locale", ".ci"):
        if (ROOT / folder).is_dir():
            files += [p for p in (ROOT / folder).rglob("*") if p.is_file()]
    return [p for p in files if p.suffix in TEXT_SUFFIXES or p.name in {"Makefile", "run"}]


def test_no_file_of_the_project_cites_a_path_outside_it():
    files = _project_files()
    assert ROOT / "README.md" in files

    citing = [
        str(path.relative_to(ROOT))
        for path in files
        if OUTSIDE in path.read_text(encoding="utf-8", errors="replace")
    ]

    assert citing == []
