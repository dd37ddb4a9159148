"""Document-number rules: check characters, derived facts, per-type formats, USCC, age."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sscard.core.documents import (
    USCC_ALPHABET,
    DocType,
    DocumentError,
    DocumentFacts,
    Gender,
    age_on,
    mod11_2_check_char,
    uscc_check_char,
    validate_document,
    validate_uscc,
)

TODAY = date(2026, 3, 1)
CJK = re.compile(r"[\u4e00-\u9fff]")

PROVINCES = [
    *map(str, range(11, 16)),
    *map(str, range(21, 24)),
    *map(str, range(31, 38)),
    *map(str, range(41, 47)),
    *map(str, range(50, 55)),
    *map(str, range(61, 66)),
    "71",
]


def with_check(first17: str) -> str:
    return first17 + mod11_2_check_char(first17)


def citizen_id(area: str = "110105", born: str = "19491231", seq: str = "002") -> str:
    return with_check(area + born + seq)


def refused(doc_type: DocType | str, raw: str) -> DocumentError:
    with pytest.raises(DocumentError) as info:
        validate_document(doc_type, raw, today=TODAY)
    assert CJK.search(info.value.message), info.value.message
    assert str(info.value) == info.value.message
    return info.value


# --- MOD 11-2 ----------------------------------------------------------------------------


def test_the_standard_example_from_gb_11643_has_check_character_x() -> None:
    assert mod11_2_check_char("11010519491231002") == "X"


def test_a_published_citizen_id_number_has_the_expected_check_character() -> None:
    assert mod11_2_check_char("32108319781216211") == "9"


def test_mod11_2_refuses_anything_but_seventeen_ascii_digits() -> None:
    for bad in ["1101051949123100", "110105194912310021", "1101051949123100A", "１" * 17]:
        with pytest.raises(ValueError, match="17"):
            mod11_2_check_char(bad)


citizen_first17 = st.builds(
    lambda province, rest, born, seq: f"{province}{rest}{born:%Y%m%d}{seq}",
    st.sampled_from(PROVINCES),
    st.from_regex(r"\A[0-9]{4}\Z"),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.from_regex(r"\A[0-9]{3}\Z"),
)


@given(citizen_first17)
def test_any_valid_prefix_with_its_computed_check_character_validates(first17: str) -> None:
    number = with_check(first17)
    facts = validate_document(DocType.RESIDENT_ID, number, today=TODAY)
    assert facts.number == number
    assert facts.birth_date == date(int(first17[6:10]), int(first17[10:12]), int(first17[12:14]))
    assert facts.gender == (Gender.MALE if int(first17[16]) % 2 else Gender.FEMALE)
    assert facts.chinese_citizen is True


@given(citizen_first17)
def test_every_other_check_character_is_rejected(first17: str) -> None:
    right = mod11_2_check_char(first17)
    for wrong in sorted(set("0123456789X") - {right}):
        with pytest.raises(DocumentError) as info:
            validate_document(DocType.RESIDENT_ID, first17 + wrong, today=TODAY)
        assert info.value.code == "check_char"
        assert info.value.message == "身份证号码校验位不正确，请核对后重新输入"


# --- resident ID and household register --------------------------------------------------


def test_a_valid_resident_id_yields_birth_date_gender_and_citizenship() -> None:
    facts = validate_document(DocType.RESIDENT_ID, "11010519491231002X", today=TODAY)
    assert facts == DocumentFacts(
        doc_type=DocType.RESIDENT_ID,
        number="11010519491231002X",
        birth_date=date(1949, 12, 31),
        gender=Gender.FEMALE,
        chinese_citizen=True,
    )


def test_an_odd_seventeenth_digit_means_male() -> None:
    facts = validate_document("resident_id", "321083197812162119", today=TODAY)
    assert facts.gender == Gender.MALE
    assert facts.birth_date == date(1978, 12, 16)


def test_a_lower_case_x_check_character_is_normalised_to_upper_case() -> None:
    facts = validate_document(DocType.RESIDENT_ID, "11010519491231002x", today=TODAY)
    assert facts.number == "11010519491231002X"


def test_full_width_digits_and_surrounding_spaces_are_normalised() -> None:
    raw = "\u3000 １１０１０５１９４９１２３１００２ｘ \n"
    facts = validate_document(DocType.RESIDENT_ID, raw, today=TODAY)
    assert facts.number == "11010519491231002X"


def test_the_doc_type_may_be_given_as_its_stored_value() -> None:
    facts = validate_document("household", "11010519491231002X", today=TODAY)
    assert facts.doc_type is DocType.HOUSEHOLD


def test_an_unknown_doc_type_is_refused_with_a_chinese_message() -> None:
    assert refused("driving_licence", "11010519491231002X").code == "doc_type"


def test_an_impossible_birth_date_is_rejected() -> None:
    error = refused(DocType.RESIDENT_ID, citizen_id(born="19900230"))
    assert error.code == "birth_date_invalid"
    assert "19900230" in error.message


def test_month_thirteen_and_day_zero_are_impossible_dates() -> None:
    for born in ["19901301", "19900100", "19000229"]:
        assert refused(DocType.RESIDENT_ID, citizen_id(born=born)).code == "birth_date_invalid"


def test_29_february_of_a_leap_year_is_a_real_birth_date() -> None:
    facts = validate_document(DocType.RESIDENT_ID, citizen_id(born="20000229"), today=TODAY)
    assert facts.birth_date == date(2000, 2, 29)


def test_a_birth_date_after_today_is_rejected() -> None:
    tomorrow = TODAY + timedelta(days=1)
    error = refused(DocType.RESIDENT_ID, citizen_id(born=f"{tomorrow:%Y%m%d}"))
    assert error.code == "birth_date_future"


def test_a_baby_born_today_is_accepted() -> None:
    facts = validate_document(DocType.HOUSEHOLD, citizen_id(born=f"{TODAY:%Y%m%d}"), today=TODAY)
    assert facts.birth_date == TODAY


def test_a_birth_date_before_1900_is_rejected() -> None:
    assert refused(DocType.RESIDENT_ID, citizen_id(born="18991231")).code == "birth_date_too_early"


@pytest.mark.parametrize(
    "raw",
    ["11010519491231002", "11010519491231002X1", "1101051949", "110105194912310"],
)
def test_a_resident_id_of_the_wrong_length_is_rejected(raw: str) -> None:
    error = refused(DocType.RESIDENT_ID, raw)
    assert error.code == "length"
    assert "18" in error.message


@pytest.mark.parametrize(
    "raw", ["1101051949A231002X", "11010519491231002Y", "X10105194912310021", "11010519491231002-"]
)
def test_letters_inside_a_resident_id_are_rejected(raw: str) -> None:
    assert refused(DocType.RESIDENT_ID, raw).code == "characters"


@pytest.mark.parametrize("area", ["000000", "100000", "160000", "390000", "660000", "720000"])
def test_a_resident_id_with_an_unknown_province_prefix_is_rejected(area: str) -> None:
    error = refused(DocType.RESIDENT_ID, citizen_id(area=area))
    assert error.code == "area_code"
    assert area[:2] in error.message


@pytest.mark.parametrize("area", ["810000", "820000", "830000"])
def test_a_residence_permit_prefix_points_the_user_to_the_residence_permit_type(area) -> None:
    error = refused(DocType.RESIDENT_ID, citizen_id(area=area))
    assert error.code == "wrong_doc_type"
    assert "港澳台居民居住证" in error.message


def test_a_foreign_permanent_residence_number_entered_as_resident_id_is_redirected() -> None:
    error = refused(DocType.RESIDENT_ID, "932682198501010017")
    assert error.code == "wrong_doc_type"
    assert "外国人永久居留身份证" in error.message


def test_empty_input_asks_for_a_number() -> None:
    for raw in ["", "   ", "\u3000"]:
        error = refused(DocType.RESIDENT_ID, raw)
        assert error.message == "请输入证件号码"
        assert error.code == "empty"


def test_whitespace_inside_a_number_is_rejected() -> None:
    for raw in ["110105 19491231002X", "110105\t19491231002X", "110105\u300019491231002X"]:
        assert refused(DocType.RESIDENT_ID, raw).code == "whitespace"


def test_control_and_invisible_characters_are_rejected() -> None:
    for raw in ["110105\x0019491231002X", "\u200b11010519491231002X", "\ufeff11010519491231002X"]:
        assert refused(DocType.RESIDENT_ID, raw).code == "control_character"


def test_non_ascii_digits_are_not_mistaken_for_digits() -> None:
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in "11010519491231002") + "X"
    assert refused(DocType.RESIDENT_ID, arabic_indic).code == "characters"


@given(citizen_first17)
def test_the_household_register_behaves_like_the_resident_id(first17: str) -> None:
    number = with_check(first17)
    as_id = validate_document(DocType.RESIDENT_ID, number, today=TODAY)
    as_household = validate_document(DocType.HOUSEHOLD, number, today=TODAY)
    assert as_household.doc_type is DocType.HOUSEHOLD
    assert (as_household.number, as_household.birth_date, as_household.gender) == (
        as_id.number,
        as_id.birth_date,
        as_id.gender,
    )
    assert as_household.chinese_citizen is True


def test_the_household_register_rejects_what_the_resident_id_rejects() -> None:
    for raw in ["11010519491231002", citizen_id(born="19900230"), "110105194912310021"]:
        refused(DocType.HOUSEHOLD, raw)


# --- passport ----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["E12345678", "EA1234567", "G12345678", "e12345678"])
def test_chinese_passports_are_accepted_as_citizens(raw: str) -> None:
    facts = validate_document(DocType.PASSPORT, raw, today=TODAY)
    assert facts.number == raw.upper()
    assert facts.chinese_citizen is True
    assert (facts.birth_date, facts.gender) == (None, None)


@pytest.mark.parametrize("raw", ["X1234567", "C01X00T47", "AB12345", "12345", "A" * 17])
def test_foreign_passports_of_5_to_17_letters_or_digits_are_accepted(raw: str) -> None:
    facts = validate_document(DocType.PASSPORT, raw, today=TODAY)
    assert facts.chinese_citizen is False


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1234", "length"),
        ("A" * 18, "length"),
        ("E1234-678", "characters"),
        ("护照123456", "characters"),
    ],
)
def test_malformed_passport_numbers_are_rejected(raw: str, code: str) -> None:
    assert refused(DocType.PASSPORT, raw).code == code


# --- Hong Kong / Macao and Taiwan permits ------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["H12345678", "M12345678", "h12345678", "H1234567890", "M0123456789"]
)
def test_hong_kong_and_macao_permits_new_and_old_are_accepted(raw: str) -> None:
    facts = validate_document(DocType.HK_MACAO_PERMIT, raw, today=TODAY)
    assert facts.number == raw.upper()
    assert facts.chinese_citizen is False
    assert (facts.birth_date, facts.gender) == (None, None)


@pytest.mark.parametrize(
    "raw", ["12345678", "A12345678", "H1234567", "H123456789", "H123456789012", "H1234567A"]
)
def test_malformed_hong_kong_and_macao_permits_are_rejected(raw: str) -> None:
    refused(DocType.HK_MACAO_PERMIT, raw)


@pytest.mark.parametrize("raw", ["12345678", "1234567890"])
def test_taiwan_permits_new_and_old_are_accepted(raw: str) -> None:
    facts = validate_document(DocType.TAIWAN_PERMIT, raw, today=TODAY)
    assert facts.number == raw
    assert facts.chinese_citizen is False


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1234567", "length"),
        ("123456789", "length"),
        ("T1234567", "characters"),
        ("1234567B", "characters"),
    ],
)
def test_malformed_taiwan_permits_are_rejected(raw: str, code: str) -> None:
    assert refused(DocType.TAIWAN_PERMIT, raw).code == code


# --- foreign permanent residence ---------------------------------------------------------


def test_the_published_2023_foreign_permanent_residence_samples_validate() -> None:
    saudi_man = validate_document(DocType.FOREIGN_PERMANENT, "932682198501010017", today=TODAY)
    assert (saudi_man.birth_date, saudi_man.gender) == (date(1985, 1, 1), Gender.MALE)
    canadian_woman = validate_document(DocType.FOREIGN_PERMANENT, "911124198108030024", today=TODAY)
    assert (canadian_woman.birth_date, canadian_woman.gender) == (date(1981, 8, 3), Gender.FEMALE)
    assert canadian_woman.chinese_citizen is False


def test_the_old_foreign_permanent_residence_format_is_accepted() -> None:
    facts = validate_document(DocType.FOREIGN_PERMANENT, "can110019810803", today=TODAY)
    assert facts.number == "CAN110019810803"
    assert (facts.birth_date, facts.gender, facts.chinese_citizen) == (None, None, False)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("932682198501010018", "check_char"),
        ("93268219850101001", "length"),
        ("9326821985010100A7", "characters"),
        ("990682198501010017", "area_code"),
        (with_check("93268219850230001"), "birth_date_invalid"),
        (with_check("93268220990101001"), "birth_date_future"),
        ("132682198501010017", "characters"),
        ("CA1110019810803", "characters"),
        ("CAN11001981080", "characters"),
    ],
)
def test_malformed_foreign_permanent_residence_numbers_are_rejected(raw: str, code: str) -> None:
    assert refused(DocType.FOREIGN_PERMANENT, raw).code == code


# --- Hong Kong / Macao / Taiwan residence permit -----------------------------------------


@pytest.mark.parametrize("area", ["810000", "820000", "830000"])
def test_residence_permits_with_each_area_code_validate(area: str) -> None:
    number = citizen_id(area=area, born="19880808", seq="011")
    facts = validate_document(DocType.HKMOTW_RESIDENCE, number, today=TODAY)
    assert (facts.birth_date, facts.gender) == (date(1988, 8, 8), Gender.MALE)
    assert facts.chinese_citizen is False


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (citizen_id(area="810100"), "area_code"),
        (citizen_id(area="110105"), "area_code"),
        (citizen_id(area="840000"), "area_code"),
        (citizen_id(area="810000")[:-1] + "Z", "characters"),
        (citizen_id(area="820000")[:17], "length"),
        (citizen_id(area="830000", born="19900230"), "birth_date_invalid"),
    ],
)
def test_malformed_residence_permits_are_rejected(raw: str, code: str) -> None:
    assert refused(DocType.HKMOTW_RESIDENCE, raw).code == code


def test_a_residence_permit_with_a_wrong_check_character_is_rejected() -> None:
    number = citizen_id(area="810000")
    wrong = "0" if number[-1] != "0" else "1"
    error = refused(DocType.HKMOTW_RESIDENCE, number[:-1] + wrong)
    assert error.code == "check_char"


# --- unified social credit code ----------------------------------------------------------


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91440300708461136T", "91110108551385082Q"])
def test_published_credit_codes_validate(code: str) -> None:
    assert validate_uscc(code) == code


def test_a_credit_code_is_normalised_to_upper_case_half_width() -> None:
    assert validate_uscc(" ９１３５０１００m０００１００y４３ ") == "91350100M000100Y43"


def test_changing_any_single_character_of_a_credit_code_is_rejected() -> None:
    code = "91350100M000100Y43"
    for i, original in enumerate(code):
        for replacement in USCC_ALPHABET:
            if replacement == original:
                continue
            with pytest.raises(DocumentError):
                validate_uscc(code[:i] + replacement + code[i + 1 :])


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_forbidden_letters_in_a_credit_code_are_rejected(letter: str) -> None:
    with pytest.raises(DocumentError) as info:
        validate_uscc("91350100M" + letter + "00100Y43")
    assert info.value.code == "forbidden_letter"
    assert letter in info.value.message


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty"),
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y433", "length"),
        ("9135010-M000100Y43", "characters"),
        ("91A50100M000100Y43", "area_code"),
        ("91350100M000100Y44", "check_char"),
        ("913501 0M000100Y43", "whitespace"),
    ],
)
def test_malformed_credit_codes_are_rejected_with_a_chinese_message(raw: str, code: str) -> None:
    with pytest.raises(DocumentError) as info:
        validate_uscc(raw)
    assert info.value.code == code
    assert info.value.message.startswith(("统一社会信用代码", "请输入统一社会信用代码"))


uscc_first17 = st.builds(
    lambda head, area, body: head + area + body,
    st.text(USCC_ALPHABET, min_size=2, max_size=2),
    st.from_regex(r"\A[0-9]{6}\Z"),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
)


@given(uscc_first17)
def test_generated_credit_codes_with_their_computed_check_character_validate(first17: str) -> None:
    code = first17 + uscc_check_char(first17)
    assert validate_uscc(code.lower()) == code


@given(uscc_first17)
def test_generated_credit_codes_with_any_other_check_character_are_rejected(first17: str) -> None:
    right = uscc_check_char(first17)
    for wrong in USCC_ALPHABET.replace(right, ""):
        with pytest.raises(DocumentError):
            validate_uscc(first17 + wrong)


# --- age ---------------------------------------------------------------------------------


def test_the_day_before_the_sixteenth_birthday_is_still_fifteen() -> None:
    assert age_on(date(2010, 3, 1), date(2026, 2, 28)) == 15


def test_the_sixteenth_birthday_is_sixteen() -> None:
    assert age_on(date(2010, 3, 1), date(2026, 3, 1)) == 16


def test_a_29_february_birth_turns_older_on_1_march_in_non_leap_years() -> None:
    born = date(2008, 2, 29)
    assert age_on(born, date(2025, 2, 28)) == 16
    assert age_on(born, date(2025, 3, 1)) == 17
    assert age_on(born, date(2024, 2, 28)) == 15
    assert age_on(born, date(2024, 2, 29)) == 16


def test_age_on_the_birth_day_is_zero() -> None:
    assert age_on(date(2026, 3, 1), date(2026, 3, 1)) == 0


def test_age_before_birth_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="precedes"):
        age_on(date(2026, 3, 2), date(2026, 3, 1))


def anniversary(born: date, years: int) -> date:
    """The date ``born`` turns ``years`` old: 29 February moves to 1 March in common years."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)), st.integers(1, 120))
def test_age_grows_by_exactly_one_on_each_birthday(born: date, years: int) -> None:
    birthday = anniversary(born, years)
    assert age_on(born, birthday - timedelta(days=1)) == years - 1
    assert age_on(born, birthday) == years
