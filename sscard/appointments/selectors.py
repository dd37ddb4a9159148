"""Reads of 网点预约: an outlet's half hours on a day and how many are taken, the days one may
book, whether a holder is paused after no-shows, their bookings, the clerk's day list and the
dashboard's counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from sscard.accounts.models import Guardianship, Person, User
from sscard.accounts.services import Relation, person_relation
from sscard.appointments.constants import (
    HOLDING,
    SLOT_MINUTES,
    WEEKDAY_LABELS,
    AppointmentStatus,
)
from sscard.appointments.models import Appointment, OpeningPeriod, slot_label
from sscard.core.errors import NotFound
from sscard.core.workdays import WorkCalendar
from sscard.production.constants import Delivery, Stage
from sscard.production.models import ProductionOrder
from sscard.regions.models import Outlet, RegionSettings
from sscard.regions.selectors import region_settings, work_calendar

_SLOT = timedelta(minutes=SLOT_MINUTES)


@dataclass(frozen=True)
class Slot:
    """One half hour of an outlet's day: how many it takes and how many are booked."""

    starts: time
    capacity: int
    taken: int
    past: bool = False

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.taken)

    @property
    def open(self) -> bool:
        return self.left > 0 and not self.past

    @property
    def value(self) -> str:
        return f"{self.starts:%H:%M}"

    @property
    def label(self) -> str:
        return slot_label(self.starts)


def periods_by_weekday(outlet: Outlet) -> dict[int, list[OpeningPeriod]]:
    found: dict[int, list[OpeningPeriod]] = defaultdict(list)
    for period in OpeningPeriod.objects.filter(outlet=outlet).order_by("weekday", "opens"):
        found[period.weekday].append(period)
    return dict(found)


def hours_text(outlet: Outlet) -> str:
    """The structured hours in words: “周一至周五 08:30-12:00、14:30-17:30（法定节假日除外）”;
    the outlet's own text when it has no structured hours."""
    periods = periods_by_weekday(outlet)
    if not periods:
        return outlet.opening_hours
    groups: list[tuple[list[int], str]] = []
    for weekday in sorted(periods):
        hours = "、".join(f"{p.opens:%H:%M}-{p.closes:%H:%M}" for p in periods[weekday])
        if groups and groups[-1][1] == hours and groups[-1][0][-1] == weekday - 1:
            groups[-1][0].append(weekday)
        else:
            groups.append(([weekday], hours))
    parts = []
    for days, hours in groups:
        named = WEEKDAY_LABELS[days[0]]
        if len(days) > 1:
            named += "至" + WEEKDAY_LABELS[days[-1]]
        parts.append(f"{named} {hours}")
    return "；".join(parts) + "（法定节假日除外）"


def slot_capacities(
    outlet: Outlet, day: date, *, calendar: WorkCalendar | None = None
) -> dict[time, int]:
    """The half hours the outlet opens on ``day`` and the bookings each takes: none on a day
    that is not a working day; a weekend made a working day (调休) keeps Monday's hours."""
    calendar = calendar or work_calendar(start=day, end=day)
    if not calendar.is_workday(day):
        return {}
    weekday = day.weekday() if day.weekday() < 5 else 0
    capacities: dict[time, int] = {}
    for period in OpeningPeriod.objects.filter(outlet=outlet, weekday=weekday):
        moment = datetime.combine(day, period.opens)
        while moment + _SLOT <= datetime.combine(day, period.closes):
            capacities[moment.time()] = max(capacities.get(moment.time(), 0), period.capacity)
            moment += _SLOT
    return dict(sorted(capacities.items()))


def slot_start(day: date, starts: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, starts))


def day_slots(
    outlet: Outlet, day: date, *, now: datetime | None = None, exclude: int | None = None
) -> list[Slot]:
    """The outlet's half hours on ``day`` with what is left of each (a booking being moved,
    ``exclude``, does not count against its own slot)."""
    now = now or timezone.now()
    capacities = slot_capacities(outlet, day)
    if not capacities:
        return []
    booked = Appointment.objects.filter(outlet=outlet, day=day, status__in=HOLDING)
    if exclude is not None:
        booked = booked.exclude(pk=exclude)
    taken = dict(booked.values("starts").annotate(n=Count("pk")).values_list("starts", "n"))
    return [
        Slot(starts, capacity, taken.get(starts, 0), past=slot_start(day, starts) <= now)
        for starts, capacity in capacities.items()
    ]


def bookable_days(outlet: Outlet, *, now: datetime | None = None) -> list[date]:
    """Today and the region's days ahead on which the outlet opens."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    last = today + timedelta(days=region_settings().appointment_days_ahead)
    calendar = work_calendar(start=today, end=last)
    open_weekdays = set(
        OpeningPeriod.objects.filter(outlet=outlet).values_list("weekday", flat=True)
    )
    days = []
    day = today
    while day <= last:
        weekday = day.weekday() if day.weekday() < 5 else 0
        if weekday in open_weekdays and calendar.is_workday(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def bookable_outlets() -> QuerySet[Outlet]:
    """Open outlets that have opening hours to book (for the matters done at a counter)."""
    return Outlet.objects.filter(active=True, opening_periods__isnull=False).distinct()


@dataclass(frozen=True)
class Pause:
    """Online booking paused after repeated no-shows: until (not including) ``until``."""

    until: date
    no_shows: int
    window_days: int

    @property
    def message(self) -> str:
        last = self.until - timedelta(days=1)
        return (
            f"您在{self.window_days}天内有{self.no_shows}次预约未到，在线预约暂停至"
            f"{last:%Y年%m月%d日}（含当日）。如需办理，请直接前往网点现场办理。"
        )


def booking_pause(
    person: Person, *, today: date | None = None, region: RegionSettings | None = None
) -> Pause | None:
    """The pause on the person's online booking: the region's number of no-shows within its
    window of days pauses it for its days, counted from the no-show that reached the number."""
    region = region or region_settings()
    today = today or timezone.localdate()
    since = today - timedelta(days=region.no_show_window_days + region.no_show_pause_days)
    days = sorted(
        Appointment.objects.filter(
            person=person, status=AppointmentStatus.NO_SHOW, day__gte=since, day__lte=today
        ).values_list("day", flat=True)
    )
    pause: Pause | None = None
    limit = region.no_show_limit
    for i in range(limit - 1, len(days)):
        reached = days[i]
        window_start = reached - timedelta(days=region.no_show_window_days)
        within = [d for d in days[: i + 1] if d > window_start]
        until = reached + timedelta(days=region.no_show_pause_days + 1)
        if len(within) >= limit and until > today:
            pause = Pause(until=until, no_shows=len(within), window_days=region.no_show_window_days)
    return pause


def live_booking(person: Person, purpose: str, *, today: date | None = None) -> Appointment | None:
    """The person's booking for ``purpose`` still to come (today or later)."""
    today = today or timezone.localdate()
    return (
        Appointment.objects.filter(
            person=person, purpose=purpose, status=AppointmentStatus.BOOKED, day__gte=today
        )
        .select_related("outlet")
        .first()
    )


def person_appointments(
    person: Person | list[Person], *, today: date | None = None
) -> list[Appointment]:
    """The person's (or people's) bookings still to come, then those of the last 30 days
    (我的办件)."""
    today = today or timezone.localdate()
    people = person if isinstance(person, list) else [person]
    rows = (
        Appointment.objects.filter(person__in=people, day__gte=today - timedelta(days=30))
        .select_related("outlet", "person")
        .order_by("-day", "-starts")
    )
    coming = [a for a in rows if a.status == AppointmentStatus.BOOKED and a.day >= today]
    return sorted(coming, key=lambda a: (a.day, a.starts)) + [a for a in rows if a not in coming]


def acts_for(user: User, person: Person, *, today: date | None = None) -> bool:
    """``user`` may book, move and cancel ``person``'s bookings: the person themself, or a
    guardian whose guardianship is confirmed while the person is under the region's guardian
    age (the rule every item acting for a minor follows)."""
    if user.person_id is None:
        return False
    if user.person_id == person.pk:
        return True
    try:
        relation = person_relation(
            user=user,
            person=person,
            today=today or timezone.localdate(),
            region=region_settings(),
        )
    except NotFound:
        return False
    return relation == Relation.GUARDIAN


def guardianship_claimed(user: User, person: Person) -> bool:
    """A guardianship of ``person`` by the user is on record, confirmed or not (to tell a
    guardian why it does not yet, or no longer, let them book)."""
    return user.person_id is not None and (
        Guardianship.objects.filter(guardian_id=user.person_id, ward=person).exists()
    )


def people_in_care(user: User, *, today: date | None = None) -> list[Person]:
    """The user's own person, then the minors in their confirmed care (under the region's
    guardian age): whose cards they may book to collect."""
    own = user.person
    if own is None:
        return []
    today = today or timezone.localdate()
    age = region_settings().guardian_age
    links = Guardianship.objects.filter(guardian=own, active=True).select_related("ward")
    wards = [
        link.ward
        for link in links.order_by("ward_id")
        if link.ward.age(today) < age and link.ward.is_chinese_citizen
    ]
    return [own, *wards]


def collectable_orders_in_care(user: User) -> list[ProductionOrder]:
    """The cards waiting at their outlet of the user and of the minors in their care: the
    user's own first, each with its holder loaded (the page names whose card it is)."""
    people = people_in_care(user)
    if not people:
        return []
    by_id = {person.pk: person for person in people}
    orders = list(collectable_orders_of(list(by_id)))
    order_of_people = list(by_id)
    orders.sort(key=lambda o: (order_of_people.index(o.person_id), o.pk))
    for order in orders:
        order.person = by_id[order.person_id]
    return orders


def collectable_orders_of(person_ids: list[int]) -> QuerySet[ProductionOrder]:
    """The cards of these people waiting at their outlet (网点签收) to be collected."""
    return ProductionOrder.objects.filter(
        person_id__in=person_ids, stage=Stage.OUTLET, delivery=Delivery.OUTLET
    ).select_related("card", "outlet")


def collectable_orders(person: Person) -> QuerySet[ProductionOrder]:
    """The person's cards waiting at their outlet (网点签收) to be collected."""
    return collectable_orders_of([person.pk])


def outlet_day_list(outlet_id: int, day: date) -> QuerySet[Appointment]:
    """The clerk's list: the outlet's bookings of ``day`` (cancelled ones left out)."""
    return (
        Appointment.objects.filter(outlet_id=outlet_id, day=day)
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("person", "booked_by__person", "order", "order__card")
        .order_by("starts", "pk")
    )


@dataclass(frozen=True)
class OutletBookings:
    outlet: str
    booked: int
    arrived: int
    no_show: int
    cancelled: int

    @property
    def total(self) -> int:
        return self.booked + self.arrived + self.no_show


def booking_stats(start: date, end: date) -> list[OutletBookings]:
    """Bookings per outlet for the days ``start``..``end``: still booked, arrived, no-show,
    cancelled (the dashboard)."""
    counts = (
        Appointment.objects.filter(day__gte=start, day__lte=end)
        .values("outlet__name")
        .annotate(
            booked=Count("pk", filter=Q(status=AppointmentStatus.BOOKED)),
            arrived=Count("pk", filter=Q(status=AppointmentStatus.ARRIVED)),
            no_show=Count("pk", filter=Q(status=AppointmentStatus.NO_SHOW)),
            cancelled=Count("pk", filter=Q(status=AppointmentStatus.CANCELLED)),
        )
        .order_by("outlet__name")
    )
    return [
        OutletBookings(
            row["outlet__name"], row["booked"], row["arrived"], row["no_show"], row["cancelled"]
        )
        for row in counts
    ]
