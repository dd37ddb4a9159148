import pytest

from sscard.testing.browser import shot

pytestmark = pytest.mark.browser


def test_home_opens_on_a_phone_without_console_errors(phone):
    phone.goto("/")
    assert phone.get_by_role("heading", name="智慧人社").is_visible()
    shot(phone, "portal-home")
