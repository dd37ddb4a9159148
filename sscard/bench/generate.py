"""Data at city scale for the benchmark: people with cards, production orders and applications
spread over every state, written in bulk.

Every value goes through the model fields the services use: ``bulk_create`` runs each encrypted
field's ``get_prep_value`` (``sscard.core.crypto``, bound to its column), and the lookup hashes
come from ``accounts.models.identity_hash`` / ``phone_hash``, so the rows are indistinguishable
from rows the services wrote. ID numbers pass every check (``sscard.testing.ids``); the same
seed gives the same people, cards and states.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from sscard.accounts.models import Person, User, identity_hash, phone_hash
from sscard.applications.constants import ApplicationAction, AppStatus, ItemCode, ReturnReason
from sscard.applications.models import Application, ApplicationEvent
from sscard.cards.constants import CardStatus, FinanceStatus
from sscard.cards.models import Card
from sscard.core.documents import DocType, Gender
from sscard.production.constants import Delivery, Stage
from sscard.production.models import ProductionEvent, ProductionOrder
from sscard.regions.models import Bank, Outlet
from sscard.regions.selectors import region_settings
from sscard.testing.ids import JIEYANG_AREAS, resident_id

# Bench rows are recognisable: every generated account's username starts with this.
USERNAME_PREFIX = "bench-"
# A card number is a letter and eight digits; the benchmark's cards use the letter B.
CARD_PREFIX = "B"
BIRTH_SPAN_DAYS = 27_000  # people born 1950–2023
BIRTH_START = date(1950, 1, 1)
SERIALS = 499

SURNAMES = "陈林黄李张吴郑蔡王杨刘许谢洪曾罗方肖邱卢余钟苏赵江何魏彭詹庄"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志海晓燕玲鹏飞俊鸿锦嘉宇泽"
STREETS = ("临江北路", "进贤门大道", "望江北路", "黄岐山大道", "新阳路", "东山大道", "流沙大道")

# What becomes of a person, by share (cumulative thresholds): every card status, every
# application status and every production stage occurs.
FATES: tuple[tuple[float, str], ...] = (
    (0.62, "active"),
    (0.70, "sealed"),
    (0.73, "temp_lost"),
    (0.75, "lost"),
    (0.76, "cancelled"),
    (0.84, "producing"),
    (0.87, AppStatus.SUBMITTED),
    (0.90, AppStatus.ACCEPTED),
    (0.91, AppStatus.RETURNED),
    (0.93, AppStatus.REJECTED),
    (0.94, AppStatus.WITHDRAWN),
    (1.00, "none"),
)
PRODUCING_STAGES = (
    Stage.APPROVED,
    Stage.DATA_SENT,
    Stage.PRODUCING,
    Stage.CITY_BANK,
    Stage.OUTLET,
    Stage.MAILED,
    Stage.DELIVERED,
    Stage.FAILED,
)
STAGE_PATH = (Stage.APPROVED, Stage.DATA_SENT, Stage.PRODUCING, Stage.CITY_BANK)
ACCOUNT_SHARE = 0.3  # the others applied at a counter (窗口代办)


def citizen_id(index: int, seed: int) -> tuple[str, date, bool]:
    """The ``index``-th person's resident ID number: unique for every index below 67 million
    (five districts × 27,000 birth dates × 499 serials), shuffled by the seed."""
    area = JIEYANG_AREAS[index % len(JIEYANG_AREAS)]
    rest = index // len(JIEYANG_AREAS)
    day = (rest + seed * 7919) % BIRTH_SPAN_DAYS
    serial = (rest // BIRTH_SPAN_DAYS) % SERIALS
    male = (rest // (BIRTH_SPAN_DAYS * SERIALS)) % 2 == 0
    birth = BIRTH_START + timedelta(days=day)
    return resident_id(birth, male=male, area=area, serial=serial), birth, male


def fate_of(rng: random.Random) -> str:
    roll = rng.random()
    return next(fate for limit, fate in FATES if roll < limit)


@contextmanager
def historic_timestamps(*fields: models.DateTimeField) -> Iterator[None]:
    """Let bulk_create keep the historic times we set instead of stamping "now"."""
    saved = [(f, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in saved:
            f.auto_now_add = value


@dataclass
class Counts:
    people: int = 0
    accounts: int = 0
    cards: dict[str, int] = field(default_factory=dict)
    applications: dict[str, int] = field(default_factory=dict)
    stages: dict[str, int] = field(default_factory=dict)

    def add(self, table: dict[str, int], key: str) -> None:
        table[key] = table.get(key, 0) + 1


@dataclass
class Context:
    seed: int
    now: datetime
    region_code: str
    banks: list[Bank]
    outlets: list[Outlet]
    counter: User
    password: str
    counts: Counts = field(default_factory=Counts)


def ensure_reference_data() -> tuple[list[Bank], list[Outlet]]:
    """The demo's banks and outlets (the same reference data a real region enters)."""
    from sscard.demo.seed.reference import BANKS, OPENING_HOURS, OUTLETS

    banks = {
        code: Bank.objects.update_or_create(code=code, defaults={"name": name, "hotline": tel})[0]
        for code, name, tel in BANKS
    }
    outlets = []
    for code, name, district, address, phone, bank in OUTLETS:
        outlet, _ = Outlet.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "district": district,
                "address": address,
                "phone": phone,
                "opening_hours": OPENING_HOURS,
                "bank": banks[bank],
                "active": True,
            },
        )
        outlets.append(outlet)
    return list(banks.values()), outlets


def _person(index: int, ctx: Context, rng: random.Random) -> Person:
    number, birth, male = citizen_id(index, ctx.seed)
    phone = f"13{index % 10}{(index * 7 + ctx.seed) % 10**8:08d}"
    person = Person(
        doc_type=DocType.RESIDENT_ID,
        doc_number=number,
        identity_hash=identity_hash(DocType.RESIDENT_ID, number),
        name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))),
        gender=Gender.MALE if male else Gender.FEMALE,
        ethnicity="汉族",
        birth_date=birth,
        phone=phone,
        phone_hash=phone_hash(phone),
        address=f"揭阳市榕城区{rng.choice(STREETS)}{rng.randint(1, 400)}号",
        postcode="522000",
    )
    return person


def _when(ctx: Context, rng: random.Random, *, max_days: int, min_days: int = 1) -> datetime:
    """A time in the past, at least a day ago (so no generated receipt shares today's date)."""
    return ctx.now - timedelta(days=rng.randint(min_days, max_days), minutes=rng.randint(0, 600))


def generate_chunk(
    ctx: Context,
    start: int,
    stop: int,
    *,
    fate: str | None = None,
    stage: str | None = None,
    account_share: float = ACCOUNT_SHARE,
) -> list[Person]:
    """People ``start`` to ``stop`` (exclusive) with all their rows, in one transaction.
    ``fate`` and ``stage`` force what becomes of them (the benchmark's own actors)."""
    rngs = [random.Random(ctx.seed * 1_000_003 + i) for i in range(start, stop)]  # noqa: S311
    people = [_person(i, ctx, rng) for i, rng in zip(range(start, stop), rngs, strict=True)]
    fates = [fate or fate_of(rng) for rng in rngs]
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=5000)
        ctx.counts.people += len(people)

        users: dict[int, User] = {}
        for i, person, rng in zip(range(start, stop), people, rngs, strict=True):
            if rng.random() < account_share:
                users[i] = User(
                    username=f"{USERNAME_PREFIX}{ctx.seed}-{i}",
                    role=User.Role.CITIZEN,
                    person=person,
                    password=ctx.password,
                    possession=User.Possession.SMS,
                )
        User.objects.bulk_create(list(users.values()), batch_size=5000)
        ctx.counts.accounts += len(users)

        cards: dict[int, Card] = {}
        for i, what, rng in zip(range(start, stop), fates, rngs, strict=True):
            if what in AppStatus.values or what == "none":
                continue
            status = CardStatus.PRODUCING if what == "producing" else CardStatus(what)
            issued = (ctx.now - timedelta(days=rng.randint(30, 3000))).date()
            in_use = status != CardStatus.PRODUCING
            card = Card(
                person=people[i - start],
                number=f"{CARD_PREFIX}{i:08d}",
                issuing_area=ctx.region_code,
                bank=rng.choice(ctx.banks),
                status=status,
                finance_status=FinanceStatus.ACTIVE
                if status == CardStatus.ACTIVE
                else FinanceStatus.INACTIVE,
                bank_account=f"6217{rng.randrange(10**15):015d}" if in_use else "",
                issued_on=issued if in_use else None,
                expires_on=issued + timedelta(days=3652) if in_use else None,
            )
            if status == CardStatus.TEMP_LOST:
                card.status_before_loss = CardStatus.ACTIVE
                card.loss_expires_at = ctx.now + timedelta(days=rng.randint(1, 9))
            cards[i] = card
            ctx.counts.add(ctx.counts.cards, status)
        Card.objects.bulk_create(list(cards.values()), batch_size=5000)

        orders: dict[int, ProductionOrder] = {}
        stage_forced = stage
        for i, card in cards.items():
            rng = rngs[i - start]
            if card.status == CardStatus.PRODUCING:
                stage = stage_forced or rng.choice(PRODUCING_STAGES)
            else:
                stage = Stage.COLLECTED
            mail = stage in (Stage.MAILED, Stage.DELIVERED) or (
                stage == Stage.COLLECTED and rng.random() < 0.1
            )
            outlet = None if mail else rng.choice(ctx.outlets)
            orders[i] = ProductionOrder(
                card=card,
                person=card.person,
                bank=card.bank,
                stage=stage,
                delivery=Delivery.MAIL if mail else Delivery.OUTLET,
                outlet=outlet,
                mail_address=people[i - start].address if mail else "",
                tracking_number=f"SF{i:012d}" if mail else "",
                failure_reason="芯片写入失败" if stage == Stage.FAILED else "",
            )
            ctx.counts.add(ctx.counts.stages, stage)
        ProductionOrder.objects.bulk_create(list(orders.values()), batch_size=5000)

        events: list[ProductionEvent] = []
        for i, order in orders.items():
            rng = rngs[i - start]
            at = _when(ctx, rng, max_days=60, min_days=20)
            if order.stage == Stage.COLLECTED:
                path: tuple[str, ...] = (Stage.OUTLET, Stage.COLLECTED)
            elif order.stage in STAGE_PATH:
                path = STAGE_PATH[: STAGE_PATH.index(order.stage) + 1]
            elif order.stage == Stage.FAILED:
                path = (*STAGE_PATH[:3], Stage.FAILED)
            else:
                path = (*STAGE_PATH, order.stage)
            for reached in path:
                at += timedelta(days=rng.randint(1, 3))
                place = order.outlet.name if reached == Stage.OUTLET and order.outlet else ""
                events.append(ProductionEvent(order=order, stage=reached, at=at, place=place))
        ProductionEvent.objects.bulk_create(events, batch_size=10000)

        applications: dict[int, Application] = {}
        for i, what, rng in zip(range(start, stop), fates, rngs, strict=True):
            if what in ("none", "cancelled"):
                continue
            person = people[i - start]
            user = users.get(i)
            submitted = _when(ctx, rng, max_days=400, min_days=2)
            if what in AppStatus.values:
                app_status = AppStatus(what)
            elif what == "producing":
                app_status = AppStatus.APPROVED
            else:
                app_status = AppStatus.COMPLETED
            app = Application(
                receipt_number=f"{ctx.region_code}{submitted:%Y%m%d}{i:010d}",
                item=ItemCode.APPLY,
                applicant=user or ctx.counter,
                subject=person,
                relation="self" if user else "counter",
                card=cards.get(i),
                production_order=orders.get(i),
                form_data={
                    "name": person.name,
                    "doc_type": person.doc_type,
                    "doc_number": person.doc_number,
                    "phone": person.phone,
                    "address": person.address,
                    "delivery": Delivery.OUTLET,
                },
                status=app_status,
                fee_fen=0,
                submission_key=uuid.UUID(int=rng.getrandbits(128)),
                submitted_at=submitted,
                outlet=rng.choice(ctx.outlets),
            )
            if app_status != AppStatus.SUBMITTED and status != AppStatus.WITHDRAWN:
                app.accepted_at = submitted + timedelta(hours=rng.randint(1, 48))
                app.due_on = (app.accepted_at + timedelta(days=rng.randint(5, 28))).date()
            if app_status in (AppStatus.APPROVED, AppStatus.COMPLETED, AppStatus.REJECTED):
                app.decided_at = submitted + timedelta(days=rng.randint(1, 5))
            if app_status == AppStatus.COMPLETED:
                app.completed_at = submitted + timedelta(days=rng.randint(10, 30))
            if app_status == AppStatus.RETURNED:
                app.paused_since = (submitted + timedelta(days=2)).date()
                app.reason_code = ReturnReason.PHOTO
                app.staff_note = "照片背景不是白色，请重新上传"
            if app_status == AppStatus.REJECTED:
                app.reason_code = "not_eligible"
                app.staff_note = "不符合申领条件"
            applications[i] = app
            ctx.counts.add(ctx.counts.applications, app_status)
        Application.objects.bulk_create(list(applications.values()), batch_size=5000)

        app_events = []
        for app in applications.values():
            app_events.append(
                ApplicationEvent(
                    application=app,
                    at=app.submitted_at,
                    action=ApplicationAction.SUBMIT,
                    to_status=AppStatus.SUBMITTED,
                    actor_label="申报人",
                )
            )
            if app.status != AppStatus.SUBMITTED:
                app_events.append(
                    ApplicationEvent(
                        application=app,
                        at=app.decided_at or app.accepted_at or app.submitted_at,
                        action=str(app.status),
                        from_status=AppStatus.SUBMITTED,
                        to_status=app.status,
                        actor_label="审核人员",
                    )
                )
        ApplicationEvent.objects.bulk_create(app_events, batch_size=10000)
    return people


def context(seed: int) -> Context:
    from django.contrib.auth.hashers import make_password

    banks, outlets = ensure_reference_data()
    counter, _ = User.objects.get_or_create(
        username=f"{USERNAME_PREFIX}counter",
        defaults={"role": User.Role.CLERK, "outlet": outlets[0], "is_staff": False},
    )
    return Context(
        seed=seed,
        now=timezone.make_aware(datetime.combine(timezone.localdate(), time(9))),
        region_code=region_settings().region_code,
        banks=banks,
        outlets=outlets,
        counter=counter,
        password=make_password(None),  # no password: bench accounts sign in by session only
    )


def stamped_fields() -> list[models.DateTimeField]:
    return [
        Application._meta.get_field("submitted_at"),
        ApplicationEvent._meta.get_field("at"),
    ]


def _merge(total: Counts, part: Counts) -> None:
    total.people += part.people
    total.accounts += part.accounts
    for mine, theirs in (
        (total.cards, part.cards),
        (total.applications, part.applications),
        (total.stages, part.stages),
    ):
        for key, value in theirs.items():
            mine[str(key)] = mine.get(str(key), 0) + value


def _worker(ctx: Context, chunks: list[tuple[int, int]], done: Any, results: Any) -> None:
    """One process's share of the chunks (PostgreSQL: one writer per core)."""
    from django.db import connections

    connections.close_all()  # never share the parent's connection
    with historic_timestamps(*stamped_fields()):
        for lo, hi in chunks:
            generate_chunk(ctx, lo, hi)
            with done.get_lock():
                done.value += hi - lo
    results.put(ctx.counts)


def generate(
    count: int,
    *,
    seed: int = 1,
    chunk: int = 5000,
    progress: Callable[[int, int], None] | None = None,
    jobs: int = 1,
) -> Counts:
    """Generate ``count`` people (and their rows) on top of whatever the database holds, in
    ``jobs`` processes (each chunk is one transaction; SQLite takes one writer at a time)."""
    ctx = context(seed)
    chunks = [(lo, min(count, lo + chunk)) for lo in range(0, count, chunk)]
    total = Counts()
    if jobs <= 1 or len(chunks) == 1:
        with historic_timestamps(*stamped_fields()):
            for lo, hi in chunks:
                generate_chunk(ctx, lo, hi)
                if progress:
                    progress(hi, count)
        _merge(total, ctx.counts)
        return total
    import multiprocessing

    from django.db import connections

    connections.close_all()
    mp = multiprocessing.get_context("fork")
    done = mp.Value("q", 0)
    results = mp.Queue()
    procs = [
        mp.Process(target=_worker, args=(ctx, chunks[j::jobs], done, results)) for j in range(jobs)
    ]
    for proc in procs:
        proc.start()
    parts: list[Counts] = []
    while len(parts) < jobs:
        if progress:
            progress(min(done.value, count - 1), count)
        try:
            parts.append(results.get(timeout=0.5))
        except Exception:  # queue.Empty: still working, unless a worker died
            if any(p.exitcode not in (None, 0) for p in procs):
                for p in procs:
                    p.terminate()
                raise RuntimeError("a bench_data worker failed") from None
    for proc in procs:
        proc.join()
    if progress:
        progress(count, count)
    for part in parts:
        _merge(total, part)
    return total
