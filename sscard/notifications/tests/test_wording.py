"""A template's words with the occasion's values: an unknown placeholder is left blank, and a
sentence pointing to a link the occasion has none for is left out — but never all the text."""

from __future__ import annotations

from sscard.notifications.wording import render

TEMPLATE = "{name}您好，您的社保卡已临时挂失。办结凭证：{receipt_link}。不是本人操作？{report_link}"


def test_a_sentence_whose_link_is_missing_is_left_out():
    values = {"name": "张*", "report_link": "https://x/r/1"}
    assert render(TEMPLATE, values) == "张*您好，您的社保卡已临时挂失。不是本人操作？https://x/r/1"
    with_link = render(TEMPLATE, {**values, "receipt_link": "https://x/pdf"})
    assert "办结凭证：https://x/pdf。" in with_link


def test_an_unknown_placeholder_other_than_a_link_is_blank_and_its_sentence_kept():
    assert render("您好{nobody}。变更项目：{fields}。", {}) == "您好。变更项目：。"


def test_a_text_of_one_sentence_is_kept_whatever_its_link():
    assert render("您的卡已挂失，凭证{receipt_link}", {}) == "您的卡已挂失，凭证"
    assert render("凭证{{receipt_link}}。", {}) == "凭证{receipt_link}。"
