"""The count of screens the browser tests checked, which the README quotes: each run starts
its lists afresh, and a screen met by several tests, workers or addresses counts once."""

from __future__ import annotations

from sscard.testing.a11y import Checker, checked_totals, records_clear, screen_of


def _write(directory, worker: str, lines: list[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"screens-{worker}.txt").write_text("".join(f"{x}\n" for x in lines), "utf-8")


def test_a_screen_met_by_several_tests_and_workers_counts_once_per_mode(tmp_path):
    _write(tmp_path, "gw0", ["/\t标准\ttest_a", "/\t长辈模式\ttest_a", "/my/<id>/\t标准\ttest_a"])
    _write(tmp_path, "gw1", ["/\t标准\ttest_b", "/my/<id>/\t标准\ttest_b"])
    (tmp_path / "violations-gw1.txt").write_text("region (moderate) on / [标准]: x\ttest_b\n")

    totals = checked_totals(tmp_path)

    assert (totals.screens, totals.states, totals.standard, totals.elder) == (2, 3, 2, 1)
    assert totals.violations == 1
    assert str(totals).startswith("axe-core checked 2 screens, 3 screen states (2 standard, 1 ")


def test_a_new_run_forgets_the_last_one_and_a_worker_clears_only_its_own_list(tmp_path):
    _write(tmp_path, "gw0", ["/\t标准\ttest_a"])
    _write(tmp_path, "gw1", ["/login/\t标准\ttest_b"])

    records_clear("gw0", tmp_path)
    assert checked_totals(tmp_path).screens == 1  # gw1's list stays

    records_clear(None, tmp_path)  # the run's controller: every list
    assert checked_totals(tmp_path).states == 0


def test_addresses_of_one_screen_fold_into_one():
    checker = Checker("test")
    for path in ("/my/44520026120500012/", "/my/44520026120500013/?tab=1"):
        checker.report(None, {"path": path, "mode": "标准", "violations": []})
    assert checker.screens == {("/my/<id>/", "标准")}
    assert screen_of("/bundles/sscard/loss/card-12/") == "/bundles/sscard/loss/<id>/"
