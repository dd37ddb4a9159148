"""The seeder: the region's reference data, the staff, the named demo accounts and the crowd,
each person's story run step by step on the story clock."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.core.management.base import CommandError
from django.db.models import F
from django.utils import timezone
from faker import Faker

from sscard.accounts.models import Employer, Guardianship, Person, User
from sscard.accounts.services import employer_register, employment_ensure
from sscard.accounts.trust import Requester, TrustLevel
from sscard.appointments.constants import Purpose
from sscard.appointments.selectors import bookable_days
from sscard.appointments.services import appointment_book, outlet_hours_set
from sscard.audit.services import audit_record
from sscard.backoffice.otp import staff_totp_enrol
from sscard.cards.constants import CardStatus
from sscard.cards.services import service_password_hash
from sscard.core.documents import Gender
from sscard.core.errors import DomainError
from sscard.core.workdays import WorkCalendar
from sscard.demo.seed.clock import StoryClock, local
from sscard.demo.seed.people import Case, People, Profile
from sscard.demo.seed.reference import (
    BANKS,
    BULK_SERVICE_PASSWORD,
    DEMO_PASSWORD,
    DEMO_TOTP_KEY,
    HOLIDAYS_2027,
    OPENING_HOURS,
    OUTLETS,
    PROVISIONAL,
    SEED,
    STAFF_PASSWORD,
    area_code,
    ensure_role_groups,
    licence_scan,
    portrait_jpeg,
    scan_jpeg,
)
from sscard.demo.seed.scenarios import (
    DELAYS,
    EMPLOYEE_SCENARIOS,
    SCENARIOS,
    STAFF_STEPS,
    TO_ACTIVE,
    TO_SEALED,
    Phase,
    Scenario,
)
from sscard.demo.seed.steps import StorySteps
from sscard.employers import review
from sscard.notifications.constants import Channel
from sscard.notifications.models import Message
from sscard.production.constants import Delivery, Stage
from sscard.production.models import ProductionOrder
from sscard.regions.models import Bank, HolidayOverride, Outlet, RegionSettings
from sscard.regions.selectors import region_settings, work_calendar
from sscard.testing.ids import uscc


def _workdays_before(calendar: WorkCalendar, day: date, n: int) -> date:
    while n > 0:
        day -= timedelta(days=1)
        if calendar.is_workday(day):
            n -= 1
    return day


class Seeder(StorySteps):
    def __init__(self) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 — synthetic data, not a secret
        Faker.seed(SEED)
        self.fake = Faker("zh_CN")
        self.real_now = timezone.now()
        self.today = timezone.localdate(self.real_now)
        self.clock = StoryClock(self.real_now)
        self.photo = portrait_jpeg()
        self.household_scan = scan_jpeg(7)
        self.guardian_scan = scan_jpeg(4)
        self.people = People(self.rng, self.fake, self.today)
        self.citizen_serial = 0

    # -- reference data ----------------------------------------------------------------------

    def reference_data(self) -> None:
        self.region: RegionSettings = region_settings()
        self.banks = {
            code: Bank.objects.update_or_create(
                code=code, defaults={"name": name, "hotline": hotline}
            )[0]
            for code, name, hotline in BANKS
        }
        self.outlets: dict[str, Outlet] = {}
        for code, name, district, address, phone, bank in OUTLETS:
            self.outlets[code], _ = Outlet.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "district": district,
                    "address": address,
                    "phone": phone,
                    "opening_hours": OPENING_HOURS,
                    "bank": self.banks[bank],
                    "active": True,
                },
            )
        # 网点预约: each outlet's hours by weekday, its bookings a half hour (the main outlets
        # of the city take more); the opening-hours text is written from them
        for code, outlet in self.outlets.items():
            self.outlets[code] = outlet_hours_set(
                outlet=outlet, actor=None, capacity=6 if code.endswith("01") else 4
            )
        for day, name in HOLIDAYS_2027:
            HolidayOverride.objects.update_or_create(
                date=day, defaults={"is_workday": False, "name": f"{name}{PROVISIONAL}"}
            )
        self.calendar = work_calendar()

    def staff(self) -> None:
        self.groups = ensure_role_groups()
        joined = local(self.today - timedelta(days=3700), time(9, 0))
        self.admin = self._staff_user("demo_admin", User.Role.ADMIN, joined, superuser=True)
        self.reviewer = self._staff_user("demo_reviewer", User.Role.REVIEWER, joined)
        self.producer = self._staff_user("demo_producer", User.Role.PRODUCER, joined)
        self.clerks: dict[int, User] = {
            self.outlets["RC01"].pk: self._staff_user(
                "demo_clerk", User.Role.CLERK, joined, outlet=self.outlets["RC01"]
            )
        }
        for code, outlet in self.outlets.items():
            if outlet.pk not in self.clerks:
                self.clerks[outlet.pk] = self._staff_user(
                    f"clerk_{code.lower()}",
                    User.Role.CLERK,
                    joined,
                    outlet=outlet,
                    password=None,
                )

    def _staff_user(
        self,
        username: str,
        role: str,
        joined: datetime,
        *,
        superuser: bool = False,
        outlet: Outlet | None = None,
        password: str | None = STAFF_PASSWORD,
    ) -> User:
        user = User(
            username=username,
            role=role,
            is_staff=True,
            is_superuser=superuser,
            outlet=outlet,
            date_joined=joined,
        )
        user.set_password(password)  # None: an unusable password
        user.save()  # the role puts the account in its permission group
        if password is not None:
            staff_totp_enrol(user=user, key_hex=DEMO_TOTP_KEY, actor=None)
        return user

    # -- people ------------------------------------------------------------------------------

    # -- people ------------------------------------------------------------------------------

    def case_for(
        self,
        requester: Requester | None,
        profile: Profile,
        *,
        delivery: str | None = None,
        real_enable: bool = False,
        relationship: str = "",
        person: Person | None = None,
    ) -> Case:
        district_outlets = [o for o in self.outlets.values() if o.district == profile.district]
        outlet = self.rng.choice(district_outlets)
        delivery = delivery or (Delivery.MAIL if self.rng.random() < 0.3 else Delivery.OUTLET)
        bank = (
            outlet.bank
            if delivery == Delivery.OUTLET and outlet.bank
            else self.rng.choice(list(self.banks.values()))
        )
        return Case(
            by=requester,
            profile=profile,
            bank=bank,
            delivery=delivery,
            outlet=outlet,
            real_enable=real_enable,
            relationship=relationship,
            person=person,
        )

    # -- running a story ---------------------------------------------------------------------

    def _moments(
        self,
        start: date,
        steps: tuple[str, ...],
        draws: list[tuple[int, int]],
        first: datetime | None,
    ) -> list[datetime]:
        """When each step happens if the story (or this phase of it) begins on ``start``."""
        moments: list[datetime] = []
        previous = first
        for step, (wait, minute) in zip(steps, draws, strict=True):
            kind, _low, _high = DELAYS[step]
            staff = step in STAFF_STEPS
            if previous is None:
                day, at = start, time(8 + minute % 13, minute % 60)
                moment = local(day, at)
            elif step == "expire":
                moment = previous + timedelta(days=self.region.temporary_loss_days, hours=1)
            elif kind == "workdays":
                day = self.calendar.add_working_days(timezone.localdate(previous), wait)
                moment = local(day, time(9 + minute % 8, minute % 60))
            else:
                day = timezone.localdate(previous) + timedelta(days=wait)
                moment = local(day, time(8 + minute % 14, minute % 60))
            if previous is not None and moment <= previous:
                moment = previous + timedelta(minutes=5 + minute)
            if staff and not self.calendar.is_workday(timezone.localdate(moment)):
                day = self.calendar.add_working_days(timezone.localdate(moment), 1)
                moment = local(day, time(9 + minute % 8, minute % 60))
            moments.append(moment)
            previous = moment
        return moments

    def _schedule(self, phase: Phase, after: datetime | None) -> list[datetime]:
        steps = tuple(self._expand(phase.steps, None))
        draws = [(self.rng.randint(*DELAYS[s][1:]), self.rng.randint(0, 119)) for s in steps]
        ago = self.rng.randint(*phase.ago)
        if phase.ago_in_days:
            target = self.today - timedelta(days=ago)
        else:
            target = _workdays_before(self.calendar, self.today, ago)
        if not steps:
            return []
        # a first guess at the story's length, then shift until the last step lands on target
        estimate = sum(
            wait * 7 // 5 + 1 if DELAYS[step][0] == "workdays" else wait
            for step, (wait, _minute) in zip(steps, draws, strict=True)
        )
        start = target - timedelta(days=estimate)
        moments = self._moments(start, steps, draws, None)
        for _ in range(8):
            shift = (target - timezone.localdate(moments[-1])).days
            if shift == 0:
                break
            start += timedelta(days=shift)
            moments = self._moments(start, steps, draws, None)
        if after is not None and moments[0] <= after:
            moments = self._moments(timezone.localdate(after), steps, draws, after)
        return moments

    @staticmethod
    def _expand(steps: tuple[str, ...], case: Case | None) -> Iterator[str]:
        for step in steps:
            if step == "deliver":
                yield "mail" if case is not None and case.delivery == Delivery.MAIL else "outlet"
            else:
                yield step

    def run_story(self, case: Case, scenario: Scenario) -> Case:
        after: datetime | None = None
        for phase in scenario.phases:
            moments = self._schedule(phase, after)
            steps = list(self._expand(phase.steps, case))
            index = 0
            while index < len(steps):
                step, moment = steps[index], moments[index]
                if index == 0 and after is None:
                    self.clock.set(moment)
                else:
                    self.clock.advance_to(moment)
                try:
                    getattr(self, f"step_{step}")(case, scenario)
                except DomainError as exc:
                    raise CommandError(
                        f"{scenario.label} / {step}: {exc.message} {exc.errors or ''}"
                    ) from exc
                index += 1
            if moments:
                after = self.clock.at
        return case

    # -- the cast ----------------------------------------------------------------------------

    def named_citizens(self) -> None:
        # demo_card: a card in use (正常), with a contact change behind it
        profile = self.people.profile(age=(30, 45), area="445202", gender=Gender.FEMALE)
        self.clock.set(local(self.today - timedelta(days=420), time(10, 12)))
        user = self.register(profile, username="demo_card", password=DEMO_PASSWORD)
        case = self.case_for(
            Requester(user, TrustLevel.L4),
            profile,
            delivery=Delivery.OUTLET,
            real_enable=True,
            person=user.person,
        )
        case.outlet = self.outlets["RC01"]
        case.bank = self.banks["ICBC"]
        self.run_story(case, Scenario("demo_card", 1, (Phase((*TO_ACTIVE, "change"), (10, 20)),)))

        # demo_nocard: on record, no card and no application
        profile = self.people.profile(age=(22, 28), area="445281")
        self.clock.set(local(self.today - timedelta(days=12), time(20, 5)))
        self.register(profile, username="demo_nocard", password=DEMO_PASSWORD)

        # demo_guardian: own card in use; one child with a card in use, one with a card being
        # produced (mailed to the family's address)
        profile = self.people.profile(age=(33, 40), area="445202", gender=Gender.MALE)
        self.clock.set(local(self.today - timedelta(days=700), time(19, 40)))
        guardian = self.register(profile, username="demo_guardian", password=DEMO_PASSWORD)
        requester = Requester(guardian, TrustLevel.L4)
        case = self.case_for(
            requester, profile, real_enable=True, person=guardian.person, delivery=Delivery.OUTLET
        )
        self.run_story(case, Scenario("demo_guardian", 1, (Phase(TO_ACTIVE, (300, 320)),)))
        for age, steps, ago, delivery in (
            ((8, 10), TO_ACTIVE, (60, 80), Delivery.OUTLET),
            ((3, 5), ("submit", "accept", "approve", "send", "produce"), (0, 2), Delivery.MAIL),
        ):
            child = self.people.profile(age=age, area="445202", surname=profile.surname)
            child.ethnicity, child.address, child.postcode, child.phone = (
                profile.ethnicity,
                profile.address,
                profile.postcode,
                profile.phone,
            )
            case = self.case_for(
                requester,
                child,
                delivery=delivery,
                real_enable=True,
                relationship=Guardianship.Relationship.FATHER,
            )
            self.run_story(case, Scenario("demo_guardian child", 1, (Phase(steps, ago),)))

        # demo_pickup: a card signed in at demo_clerk's outlet (网点签收) yesterday or so: 预约领卡
        profile = self.people.profile(age=(25, 40), area="445202", gender=Gender.FEMALE)
        self.clock.set(local(self.today - timedelta(days=45), time(9, 50)))
        user = self.register(profile, username="demo_pickup", password=DEMO_PASSWORD)
        case = self.case_for(
            Requester(user, TrustLevel.L4), profile, delivery=Delivery.OUTLET, person=user.person
        )
        case.outlet = self.outlets["RC01"]
        case.bank = self.banks["ICBC"]
        self.run_story(case, Scenario("demo_pickup", 1, (Phase(TO_SEALED[:-1], (1, 2)),)))

        # demo_lost: a card formally reported lost: ready for 补卡
        profile = self.people.profile(age=(45, 60), area="445203", gender=Gender.MALE)
        self.clock.set(local(self.today - timedelta(days=900), time(9, 30)))
        user = self.register(profile, username="demo_lost", password=DEMO_PASSWORD)
        case = self.case_for(
            Requester(user, TrustLevel.L4), profile, real_enable=True, person=user.person
        )
        self.run_story(
            case, Scenario("demo_lost", 1, (Phase((*TO_ACTIVE, "formal_loss"), (1, 2)),))
        )

    def employer(self) -> None:
        self.clock.set(local(self.today - timedelta(days=200), time(10, 0)))
        contact = self.people.profile(age=(28, 40), area="445202")
        employer: Employer = employer_register(
            name="揭阳市榕江智造电子科技有限公司",
            uscc=uscc(rng=self.rng),
            contact_name=contact.name,
            contact_phone=contact.phone,
            now=self.clock.now(),
        )
        review.licence_attach(employer=employer, licence=licence_scan())
        user = User(
            username="demo_employer",
            role=User.Role.EMPLOYER,
            employer=employer,
            date_joined=self.clock.now(),
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        # approved by the demo reviewer the next day (单位注册审核)
        self.clock.set(local(self.today - timedelta(days=199), time(10, 30)))
        user.employer = review.employer_approve(
            employer_id=employer.pk,
            actor=User.objects.get(username="demo_reviewer"),
            now=self.clock.now(),
        )
        requester = Requester(user, TrustLevel.L3)
        for scenario in EMPLOYEE_SCENARIOS:
            for _ in range(scenario.count):
                profile = self.people.profile(age=(20, 55))
                case = self.case_for(requester, profile, delivery=scenario.delivery)
                self.run_story(case, scenario)
        self.employer_row = employer

    def employer_new(self) -> None:
        """demo_employer_new: registered yesterday with its 营业执照, 待审核 (the reviewer's
        /staff/employers/ queue has it)."""
        self.clock.set(local(self.today - timedelta(days=1), time(16, 20)))
        contact = self.people.profile(age=(25, 45), area="445203")
        employer = employer_register(
            name="揭阳市揭东区新创五金制品有限公司",
            uscc=uscc(rng=self.rng),
            contact_name=contact.name,
            contact_phone=contact.phone,
            now=self.clock.now(),
        )
        review.licence_attach(employer=employer, licence=licence_scan())
        user = User(
            username="demo_employer_new",
            role=User.Role.EMPLOYER,
            employer=employer,
            first_name=contact.name,
            date_joined=self.clock.now(),
        )
        user.set_password(DEMO_PASSWORD)
        user.save()

    def crowd(self) -> None:
        for scenario in SCENARIOS:
            first, *rest = scenario.phases
            # each person registers (name and ID number checked) just before their first step
            story = dataclasses.replace(
                scenario,
                phases=(dataclasses.replace(first, steps=("register", *first.steps)), *rest),
            )
            for _ in range(scenario.count):
                outlet = self.outlets.get(scenario.outlet)
                area = area_code(outlet.district) if outlet else None
                profile = self.people.profile(age=(16, 75), area=area)
                case = self.case_for(None, profile, delivery=scenario.delivery)
                if outlet is not None and outlet.bank is not None:
                    case.outlet, case.bank = outlet, outlet.bank
                self.run_story(case, story)
        # two card holders of the crowd work for the demo employer too
        holders = Person.objects.filter(
            cards__status=CardStatus.ACTIVE, user__username__startswith="citizen"
        ).order_by("pk")[:2]
        for person in holders:
            employment_ensure(
                employer=self.employer_row, person=person, actor=None, now=self.clock.now()
            )

    def messages_read(self) -> None:
        """The services wrote each story's 消息中心 messages; the ones older than a month
        were read long ago, the recent ones wait unread."""
        month_ago = self.clock.ceiling - timedelta(days=30)
        Message.objects.filter(channel=Channel.INBOX, created_at__lt=month_ago).update(
            read_at=F("created_at") + timedelta(days=1)
        )

    def appointments(self) -> None:
        """网点预约: the other holders whose cards wait at demo_clerk's outlet booked 领卡 on
        its next working days (demo_pickup has not booked yet: they do it in the demo)."""
        outlet = self.outlets["RC01"]
        days = bookable_days(outlet)[1:3]
        orders = ProductionOrder.objects.filter(
            outlet=outlet, stage=Stage.OUTLET, delivery=Delivery.OUTLET
        ).exclude(person__user__username="demo_pickup")
        slots = [time(9, 0), time(9, 30), time(10, 0), time(14, 30), time(15, 0)]
        for i, order in enumerate(orders.order_by("pk")):
            user = User.objects.filter(person=order.person).first()
            if user is None or not days:
                continue
            appointment_book(
                user=user,
                purpose=Purpose.COLLECT,
                order=order,
                day=days[i % len(days)],
                starts=slots[i % len(slots)],
            )

    # -- the whole -----------------------------------------------------------------------------

    def run(self) -> None:
        self.reference_data()
        self.staff()
        self.bulk_password = service_password_hash(BULK_SERVICE_PASSWORD)
        self.named_citizens()
        self.employer()
        self.employer_new()
        self.crowd()
        self.appointments()
        self.messages_read()
        audit_record(
            actor=None,
            action="demo.seeded",
            detail={"people": Person.objects.count(), "seed": SEED},
        )
