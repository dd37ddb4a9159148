from sscard.core.masking import (
    mask_address,
    mask_bank_account,
    mask_card_number,
    mask_id_number,
    mask_name,
    mask_phone,
)


def test_an_id_number_shows_only_its_first_four_and_last_four_characters():
    assert mask_id_number("445202198805170031") == "4452**********0031"


def test_short_document_numbers_hide_most_of_their_characters():
    assert mask_id_number("E12345678") == "E******78"
    assert mask_id_number("H1234567890") == "H********90"
    assert mask_id_number("12345") == "1****"


def test_a_phone_number_shows_its_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"


def test_a_name_keeps_the_surname_and_hides_every_other_character():
    assert mask_name("张三丰") == "张**"
    assert mask_name("李四") == "李*"
    assert mask_name("阿依古丽·买买提") == "阿*******"


def test_a_card_number_shows_its_letter_and_last_four_digits():
    assert mask_card_number("A12345678") == "A****5678"


def test_a_bank_account_shows_only_its_last_four_digits():
    assert mask_bank_account("6222021234567891234") == "****1234"


def test_an_address_keeps_only_province_and_city():
    assert mask_address("广东省揭阳市榕城区进贤门大道88号") == "广东省揭阳市****"


def test_empty_values_mask_to_empty_text():
    for mask in (mask_id_number, mask_phone, mask_name, mask_card_number, mask_bank_account):
        assert mask("") == ""
        assert mask(None) == ""
