"""Who may see an uploaded material is decided here, from plain values: the account, the
session's trust level and whether the session has the staff's second factor."""

from __future__ import annotations

import pytest

from sscard.accounts.trust import StepUpRequired, TrustLevel
from sscard.applications.selectors import material_for_viewer
from sscard.applications.tests.helpers import submit_apply
from sscard.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(citizen, bank, outlet):
    return submit_apply(citizen, bank, outlet).materials.get(kind="photo")


def test_a_reviewer_sees_a_material_only_with_the_second_factor(reviewer, photo):
    assert material_for_viewer(reviewer, photo.pk, trust=TrustLevel.L3, second_factor=False) is None
    seen = material_for_viewer(reviewer, photo.pk, trust=TrustLevel.L3, second_factor=True)
    assert seen == photo


def test_the_second_factor_makes_no_staff_member_of_a_citizen(photo):
    stranger = UserFactory()
    assert material_for_viewer(stranger, photo.pk, trust=TrustLevel.L4, second_factor=True) is None


def test_the_applicant_steps_up_before_the_file_opens(citizen, photo):
    with pytest.raises(StepUpRequired):
        material_for_viewer(citizen, photo.pk, trust=TrustLevel.L3, second_factor=False)
    assert material_for_viewer(citizen, photo.pk, trust=TrustLevel.L4, second_factor=False) == photo
