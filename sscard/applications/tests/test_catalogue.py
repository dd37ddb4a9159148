from django.utils.module_loading import import_string

from sscard.applications.catalogue import SSCARD, Audience, Bundle, ItemKind, bundle

GUIDE_ITEMS = (
    "社会保障卡申领",
    "社会保障卡启用",
    "社会保障卡挂失与解挂",
    "社会保障卡补换卡",
    "社保卡信息变更",
    "社保卡制卡进度查询",
    "社保卡应用状态查询",
)


def test_the_bundle_lists_the_seven_items_of_the_guide_in_its_order_and_words():
    assert SSCARD.name == "社会保障卡服务“一件事”"
    assert tuple(item.name for item in SSCARD.items) == GUIDE_ITEMS
    assert bundle("sscard") is SSCARD


def test_time_limits_are_those_of_the_guide():
    limits = {item.name: item.time_limit_label for item in SSCARD.items}

    assert limits["社会保障卡申领"] == "25个工作日"
    assert limits["社会保障卡补换卡"] == "25个工作日"
    assert {limits[name] for name in GUIDE_ITEMS[1:3] + GUIDE_ITEMS[4:]} == {"即时办结"}


def test_every_items_eligibility_check_and_handler_exist():
    for item in SSCARD.items:
        assert callable(import_string(item.eligibility)), item.code
        assert callable(import_string(item.handler)), item.code


def test_only_applying_and_following_progress_are_open_to_employers():
    open_to_employers = {i.code for i in SSCARD.items if Audience.EMPLOYER in i.audiences}

    assert open_to_employers == {"apply", "progress"}


def test_a_second_bundle_is_data_beside_the_first():
    other = Bundle(code="other", name="另一件事", items=(SSCARD.item("status"),))

    assert other.item("status").kind == ItemKind.QUERY
    assert SSCARD.item("status") is other.item("status")
