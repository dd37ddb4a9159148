"""Another account's ids are not found on any portal URL: citizen B,
an employer and a staff member walk every URL that takes an id with citizen A's ids, by GET
and by POST, and get what a made-up id gets — nothing of A's is shown or changed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from sscard.accounts.models import Guardianship
from sscard.accounts.trust import TrustLevel
from sscard.applications import services
from sscard.applications.catalogue import SSCARD
from sscard.applications.constants import AppStatus, ItemCode
from sscard.applications.models import Application
from sscard.applications.tests.helpers import submit_apply
from sscard.appointments.constants import Purpose
from sscard.appointments.models import Appointment
from sscard.cards.models import Card
from sscard.conftest import jpeg
from sscard.portal import urls as portal_urls
from sscard.portal.models import Draft
from sscard.testing.factories import (
    CardFactory,
    EmployerAgentFactory,
    GuardianshipFactory,
    PersonFactory,
    StaffFactory,
    UserFactory,
)
from sscard.testing.sessions import sign_in

pytestmark = pytest.mark.django_db


@dataclass
class Victim:
    """Citizen A and everything of theirs a URL can name."""

    user: object
    cards: list[Card]
    people: list  # A and A's ward
    receipts: list[str]
    drafts: list[uuid.UUID]
    appointments: list[str]  # the codes of A's 网点预约


@pytest.fixture
def victim(region, bank, outlet, reviewer) -> Victim:
    a = UserFactory(username="citizen_a")
    ward = PersonFactory(minor=True, name="张小宝")
    GuardianshipFactory(guardian=a.person, ward=ward, active=True)
    assert Guardianship.objects.filter(guardian=a.person, ward=ward, active=True).exists()
    # a returned 申领 through the services, then every other status written directly
    first = submit_apply(a, bank, outlet)
    services.application_accept(application=first, actor=reviewer)
    services.application_return(application=first, actor=reviewer, reason="照片不清晰")
    receipts = [first.receipt_number]
    cards = [
        CardFactory(person=a.person, bank=bank),
        CardFactory(person=a.person, bank=bank, cancelled=True),
        CardFactory(person=ward, bank=bank, sealed=True),
    ]
    for n, status in enumerate(s for s in AppStatus.values if s != AppStatus.RETURNED):
        application = Application.objects.create(
            receipt_number=f"4452002026112900000{n:05d}",
            item=ItemCode.CHANGE,
            applicant=a,
            subject=a.person,
            form_data={"changes": {"postcode": "522000"}},
            status=status,
        )
        receipts.append(application.receipt_number)
    assert {Application.objects.get(receipt_number=r).status for r in receipts} == set(
        AppStatus.values
    )
    draft = Draft.objects.create(
        user=a,
        item=ItemCode.CHANGE,
        subject=a.person,
        data={
            "changes": {"phone": "13900001111"},
            "_target": f"person-{a.person.pk}",
            "_bundle": "sscard",
        },
    )
    appointment = Appointment.objects.create(
        person=a.person,
        booked_by=a,
        purpose=Purpose.FORMAL_LOSS,
        outlet=outlet,
        day=timezone.localdate() + timedelta(days=7),
        starts=time(9, 0),
    )
    return Victim(a, cards, [a.person, ward], receipts, [draft.pk], [appointment.code])


def _item_urls(v: Victim) -> list[str]:
    urls = []
    for item in SSCARD.items:
        keys = [f"card-{c.pk}" for c in v.cards] if item.needs_card else []
        keys += [] if item.needs_card else [f"person-{p.pk}" for p in v.people]
        urls += [reverse("portal:item", args=["sscard", item.code, key]) for key in keys]
    return urls


# Every portal URL that takes a value from the path: what A's ids make of it, and a made-up
# id of the same shape. A pattern missing here fails test_every_pattern_is_walked.
Builder = Callable[[Victim], list[str]]
BY_ID: dict[str, tuple[Builder, str]] = {
    "item": (_item_urls, reverse("portal:item", args=["sscard", "loss", "card-999999"])),
    "receive": (
        lambda v: [reverse("portal:receive", args=["sscard", f"person-{p.pk}"]) for p in v.people],
        reverse("portal:receive", args=["sscard", "person-999999"]),
    ),
    "confirm": (
        lambda v: [reverse("portal:confirm", args=[d]) for d in v.drafts],
        reverse("portal:confirm", args=[uuid.uuid4()]),
    ),
    "discard": (
        lambda v: [reverse("portal:discard", args=[d]) for d in v.drafts],
        reverse("portal:discard", args=[uuid.uuid4()]),
    ),
    "application": (
        lambda v: [reverse("portal:application", args=[r]) for r in v.receipts],
        reverse("portal:application", args=["445200202611299999999999"]),
    ),
    "withdraw": (
        lambda v: [reverse("portal:withdraw", args=[r]) for r in v.receipts],
        reverse("portal:withdraw", args=["445200202611299999999999"]),
    ),
    "correct": (
        lambda v: [reverse("portal:correct", args=[r]) for r in v.receipts],
        reverse("portal:correct", args=["445200202611299999999999"]),
    ),
    # 我的电子社保卡's refresh: a card of A's (a minor's in A's care too)
    "ecard_code": (
        lambda v: [reverse("portal:ecard_code", args=[c.pk]) for c in v.cards],
        reverse("portal:ecard_code", args=[999999]),
    ),
    "receipt_pdf": (
        lambda v: [reverse("portal:receipt_pdf", args=[r, "acceptance"]) for r in v.receipts],
        reverse("portal:receipt_pdf", args=["445200202611299999999999", "acceptance"]),
    ),
    "appointment": (
        lambda v: [reverse("portal:appointment", args=[c]) for c in v.appointments],
        reverse("portal:appointment", args=["0123456789ABCDEF"]),
    ),
    "appointment_reschedule": (
        lambda v: [reverse("portal:appointment_reschedule", args=[c]) for c in v.appointments],
        reverse("portal:appointment_reschedule", args=["0123456789ABCDEF"]),
    ),
    "appointment_cancel": (
        lambda v: [reverse("portal:appointment_cancel", args=[c]) for c in v.appointments],
        reverse("portal:appointment_cancel", args=["0123456789ABCDEF"]),
    ),
    "pay": (
        lambda v: [reverse("portal:pay", args=[r]) for r in v.receipts],
        reverse("portal:pay", args=["445200202611299999999999"]),
    ),
    "paid": (
        lambda v: [reverse("portal:paid", args=[r]) for r in v.receipts],
        reverse("portal:paid", args=["445200202611299999999999"]),
    ),
}
# Patterns whose path values are catalogue codes, the same for everybody (no one's id).
CATALOGUE = {"bundle", "select"}
# Patterns whose path value is a signed token, not an id: whoever holds the link (sent to the
# phones on file) may use it, and a forged or altered one is not found (test_report_not_me).
SIGNED = {"report", "verify_receipt"}  # a receipt's code: tests in ecard/tests/test_receipts.py
POST_ONLY = {"discard", "withdraw", "appointment_cancel", "pay"}


def _patterns_with_values() -> set[str]:
    names = set()
    for pattern in portal_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.pattern.converters:
            assert pattern.name, f"{pattern.pattern} has no name"
            names.add(pattern.name)
    return names


def test_every_pattern_is_walked():
    """A new URL with an id must be added to this walk (or declared a catalogue URL)."""
    assert _patterns_with_values() == set(BY_ID) | CATALOGUE | SIGNED


def _snapshot(v: Victim) -> list:
    return [
        sorted(
            Application.objects.filter(applicant=v.user).values_list("receipt_number", "status")
        ),
        sorted(Draft.objects.filter(user=v.user).values_list("pk", flat=True)),
        sorted(Card.objects.filter(pk__in=[c.pk for c in v.cards]).values_list("pk", "status")),
        sorted(
            Appointment.objects.filter(code__in=v.appointments).values_list(
                "code", "status", "day", "starts"
            )
        ),
    ]


def _walk(client, v: Victim, expected_get: Callable[[str], int], expected_post: int) -> None:
    before = _snapshot(v)
    seen = 0
    for name, (build, made_up) in BY_ID.items():
        urls = build(v)
        assert urls, name
        for url in [*urls, made_up]:
            seen += 1
            got = client.get(url)
            assert got.status_code == expected_get(name), f"GET {url}"
            for secret in v.receipts + [str(d) for d in v.drafts] + v.appointments:
                assert secret not in got.content.decode() or secret in url
            posted = client.post(url, {"action": "temporary", "token": str(uuid.uuid4())})
            assert posted.status_code == expected_post, f"POST {url}"
    assert seen > 20
    assert _snapshot(v) == before, "another account's request changed A's records"


def _get_for_public(name: str) -> int:
    return 405 if name in POST_ONLY else 404


def test_owner_reaches_every_url(client, victim):
    """The ids are real: A gets an answer other than 404 on each of them (so the walks below
    can fail)."""
    sign_in(client, victim.user, TrustLevel.L4)
    # a cancelled card opens 应用状态查询 only: no item that acts on a card offers it
    cancelled = f"card-{victim.cards[1].pk}/"
    for name, (build, _made_up) in BY_ID.items():
        if name in POST_ONLY:
            continue
        for url in build(victim):
            answer = client.get(url).status_code
            if url.endswith(cancelled) and "/status/" not in url:
                assert answer == 404, url
            else:
                assert answer != 404, url


@pytest.mark.parametrize("trust", [TrustLevel.L3, TrustLevel.L4])
def test_another_citizen_gets_404_everywhere(client, victim, trust):
    b = UserFactory(username="citizen_b")
    CardFactory(person=b.person)
    sign_in(client, b, trust)
    _walk(client, victim, _get_for_public, 404)


def test_a_guardian_of_someone_else_gets_404(client, victim):
    """B cares for a child of their own: that opens B's ward, not A's."""
    b = UserFactory(username="citizen_b")
    GuardianshipFactory(guardian=b.person, ward=PersonFactory(minor=True), active=True)
    sign_in(client, b, TrustLevel.L4)
    _walk(client, victim, _get_for_public, 404)


def test_an_employer_gets_404_everywhere(client, victim):
    sign_in(client, EmployerAgentFactory(username="employer_b"), TrustLevel.L3)
    _walk(client, victim, _get_for_public, 404)


def test_a_staff_account_is_sent_to_the_back_office(client, victim):
    """Staff do not use the portal at all: the same 403 page for A's ids and made-up ones."""
    sign_in(client, StaffFactory(username="reviewer_b"))
    _walk(client, victim, lambda name: 403, 403)
    page = client.get(reverse("portal:application", args=[victim.receipts[0]]))
    assert "/staff/" in page.content.decode()


def test_anonymous_visitor_is_sent_to_login(client, victim):
    for name, (build, _made_up) in BY_ID.items():
        for url in build(victim):
            if name not in POST_ONLY:
                got = client.get(url)
                assert got.status_code == 302 and got["Location"].startswith("/login/"), url
            posted = client.post(url)
            assert posted.status_code == 302 and posted["Location"].startswith("/login/"), url


def test_catalogue_urls_are_the_same_for_everyone(client, victim):
    b = UserFactory(username="citizen_b")
    sign_in(client, b)
    assert client.get(reverse("portal:bundle", args=["sscard"])).status_code == 200
    select = client.get(reverse("portal:select", args=["sscard", "loss"]))
    assert select.status_code == 200
    html = select.content.decode()
    assert all(f"card-{card.pk}" not in html for card in victim.cards)
    assert client.get(reverse("portal:bundle", args=["nope"])).status_code == 404
    assert client.get(reverse("portal:select", args=["sscard", "nope"])).status_code == 404
    # A's card named in the 选择社保卡 form is not accepted either
    chosen = client.post(
        reverse("portal:select", args=["sscard", "loss"]), {"target": f"card-{victim.cards[0].pk}"}
    )
    assert chosen.status_code == 400


def test_the_ward_of_a_past_guardianship_is_not_found(client, victim):
    """A guardianship that is no longer active (or a ward now 16) opens nothing."""
    link = Guardianship.objects.get(guardian=victim.user.person)
    link.active = False
    link.save()
    sign_in(client, victim.user, TrustLevel.L4)
    ward_card = victim.cards[2]
    url = reverse("portal:item", args=["sscard", "status", f"card-{ward_card.pk}"])
    assert client.get(url).status_code == 404
    grown = victim.people[1]
    grown.birth_date = date(2000, 1, 1)
    grown.save()
    link.active = True
    link.save()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("with_upload", [False, True])
def test_another_accounts_draft_id_as_a_form_token_is_refused(client, victim, with_upload):
    """B posts B's own item page with A's draft id as its form token: A's draft is neither
    read, nor taken over, nor changed, and B sees no server error."""
    b = UserFactory(username="citizen_b")
    sign_in(client, b, TrustLevel.L4)
    stolen = str(victim.drafts[0])
    before = Draft.objects.get(pk=stolen)
    posted = {"phone": "13700009999", "address": "广东省揭阳市榕城区新阳路18号", "token": stolen}
    if with_upload:
        posted |= {"phone": "139", "photo": jpeg()}
    answer = client.post(
        reverse("portal:item", args=["sscard", "change", f"person-{b.person.pk}"]), posted
    )
    assert answer.status_code == 404
    after = Draft.objects.get(pk=stolen)
    assert (after.user_id, after.data, after.files) == (before.user_id, before.data, before.files)
    assert "13700001111" not in answer.content.decode()


@pytest.mark.parametrize("token", ["", "not-a-uuid", None])
def test_a_post_without_a_valid_form_token_is_no_server_error(client, region, token):
    """A stale or hand-made form: the entries are checked and a new draft begins."""
    user = UserFactory()
    sign_in(client, user, TrustLevel.L3_PLUS)
    posted = {"phone": "13700009999", "address": "广东省揭阳市榕城区新阳路18号"}
    if token is not None:
        posted["token"] = token
    url = reverse("portal:item", args=["sscard", "change", f"person-{user.person.pk}"])
    answer = client.post(url, posted)
    assert answer.status_code == 302
    assert Draft.objects.get(user=user).data["changes"]["phone"] == "13700009999"
