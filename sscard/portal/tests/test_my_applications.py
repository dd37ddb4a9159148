"""我的办件: what each row and receipt says was done, and the applications an employer filed
for the employee (单位申报), which the employee follows but does not withdraw or correct."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sscard.accounts.trust import TrustLevel
from sscard.applications import services
from sscard.applications.constants import AppStatus
from sscard.applications.services import LossAction
from sscard.applications.tests.helpers import apply_form
from sscard.conftest import jpeg
from sscard.testing.factories import (
    CardFactory,
    EmployerAgentFactory,
    UserFactory,
    requester_for,
)

pytestmark = pytest.mark.django_db


def test_loss_rows_say_which_action_and_a_temporary_loss_says_when_it_lifts(client, bank):
    holder = UserFactory()
    card = CardFactory(person=holder.person, bank=bank)
    requester = requester_for(holder, trust=TrustLevel.L4)
    lost = services.item_report_loss(requester=requester, card=card, action=LossAction.TEMPORARY)
    services.item_report_loss(requester=requester, card=card, action=LossAction.CANCEL)
    client.force_login(holder)

    listing = client.get(reverse("portal:applications")).content.decode()
    receipt = client.get(reverse("portal:application", args=[lost.receipt_number])).content
    receipt = receipt.decode()

    assert "社会保障卡挂失与解挂 · 临时挂失<" in listing
    assert "社会保障卡挂失与解挂 · 解挂<" in listing
    # the receipt says when the 临时挂失 was due to lift, as it was when reported
    assert "办理内容" in receipt
    assert "自动解除（到期前可办理正式挂失或解挂）" in receipt


def test_an_employer_filed_application_shows_in_the_employees_list_marked(client, bank, outlet):
    employee = UserFactory()
    agent = EmployerAgentFactory()
    filed = services.application_submit_apply(
        requester=requester_for(agent),
        data=apply_form(employee.person, bank, outlet),
        files={"photo": jpeg()},
    )
    client.force_login(employee)

    listing = client.get(reverse("portal:applications")).content.decode()
    detail = client.get(reverse("portal:application", args=[filed.receipt_number]))

    assert filed.receipt_number in listing and "单位申报" in listing
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "单位申报" in page
    assert "撤回申请" not in page  # the employer filed it; the employer withdraws it


def test_the_employee_cannot_withdraw_what_the_employer_filed(client, bank, outlet):
    employee = UserFactory()
    agent = EmployerAgentFactory()
    filed = services.application_submit_apply(
        requester=requester_for(agent),
        data=apply_form(employee.person, bank, outlet),
        files={"photo": jpeg()},
    )
    client.force_login(employee)

    response = client.post(reverse("portal:withdraw", args=[filed.receipt_number]))

    assert response.status_code == 404
    filed.refresh_from_db()
    assert filed.status == AppStatus.SUBMITTED


def test_another_persons_employer_filed_application_stays_out_of_sight(client, bank, outlet):
    agent = EmployerAgentFactory()
    colleague = UserFactory()
    filed = services.application_submit_apply(
        requester=requester_for(agent),
        data=apply_form(colleague.person, bank, outlet),
        files={"photo": jpeg()},
    )
    client.force_login(UserFactory())

    assert filed.receipt_number not in client.get(reverse("portal:applications")).content.decode()
    assert client.get(reverse("portal:application", args=[filed.receipt_number])).status_code == 404
