"""The benchmark's actors and request plans: sessions written straight into the session store
(as a login leaves them), the CSRF cookie and header Django checks, signed partner requests;
and the row counts after each write scenario.

A *read plan* is a list of (path, cookie) lines the ``reads.lua`` script cycles through. A
*replay plan* is, per wrk thread (one connection each, so a thread's requests stay in order),
the exact requests to send, each with the status (and ``Location`` prefix) that counts as
success; ``replay.lua`` stops the thread when its plan is spent.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db.models import CharField, Count, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sscard.accounts.backends import BACKEND
from sscard.accounts.models import Person, User
from sscard.accounts.trust import TrustLevel
from sscard.applications.constants import ItemCode
from sscard.applications.models import Application
from sscard.bench.generate import (
    USERNAME_PREFIX,
    context,
    generate_chunk,
    historic_timestamps,
    stamped_fields,
)
from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.partners.models import Nonce, Partner
from sscard.partners.services import partner_create
from sscard.partners.signing import signed_headers
from sscard.portal.middleware import SEEN_KEY
from sscard.production.constants import BatchStatus, Stage
from sscard.production.models import Batch, ProductionEvent, ProductionOrder
from sscard.regions.models import Bank, Outlet
from sscard.regions.selectors import region_settings
from sscard.web.auth import TRUST_KEY

# The benchmark's own people start far above any generated index (ID numbers stay unique).
POOL_BASE = 60_000_000
POOL_PREFIX = f"{USERNAME_PREFIX}pool-"
PARTNER_NAME = "bench partner"
EVENT_STAGES = (Stage.PRODUCING, Stage.CITY_BANK, Stage.OUTLET)

READ_SCENARIOS = ("baseline", "floor", "progress", "status", "queue", "queue_filtered")
WRITE_SCENARIOS = ("loss", "apply", "apply_photo", "partner_events")


@dataclass
class Request:
    method: str
    path: str
    expect: int
    tag: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    location: str = "-"

    def encode(self) -> bytes:
        head = (
            f"REQ {self.method} {self.path} {self.expect} {self.location} {self.tag} "
            f"{len(self.headers)} {len(self.body)}\n"
        )
        lines = "".join(f"{k}: {v}\n" for k, v in self.headers.items())
        return (head + lines).encode() + self.body + b"\n"


def _session(user: User, **extra: Any) -> str:
    # the store the server reads (the database, or the cache in front of it)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[SEEN_KEY] = int(time.time())
    for key, value in extra.items():
        store[key] = value
    store.create()
    assert store.session_key is not None  # noqa: S101
    return store.session_key


def _csrf() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(32))


@dataclass
class Browser:
    """A signed-in browser: its cookies and the CSRF header that matches them."""

    session: str
    csrf: str

    @classmethod
    def for_user(cls, user: User, **extra: Any) -> Browser:
        return cls(_session(user, **extra), _csrf())

    @property
    def cookie(self) -> str:
        session, csrf = settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME
        return f"{session}={self.session}; {csrf}={self.csrf}"

    def headers(self, **more: str) -> dict[str, str]:
        return {"Cookie": self.cookie, "X-CSRFToken": self.csrf, **more}

    def form(self, method: str, path: str, data: dict[str, str], **kw: Any) -> Request:
        body = urlencode(data).encode()
        headers = self.headers(**{"Content-Type": "application/x-www-form-urlencoded"})
        return Request(method, path, headers=headers, body=body, **kw)


def _pool(kind: str, count: int, *, seed: int, fate: str, stage: str | None = None) -> list[Person]:
    """``count`` fresh people of the benchmark's own, each with an account."""
    ctx = context(seed)
    taken = User.objects.filter(username__startswith=POOL_PREFIX).count()
    start = POOL_BASE + taken
    people: list[Person] = []
    with historic_timestamps(*stamped_fields()):
        for lo in range(start, start + count, 5000):
            hi = min(start + count, lo + 5000)
            people += generate_chunk(ctx, lo, hi, fate=fate, stage=stage, account_share=1.0)
    # the pool's accounts are named apart from the generated population
    User.objects.filter(person__in=people).update(
        username=Concat(Value(f"{POOL_PREFIX}{kind}-"), Cast("id", CharField()))
    )
    return people


def _users_of(people: Iterable[Person]) -> list[User]:
    return list(User.objects.filter(person__in=list(people)).select_related("person"))


def write_reads(out: Path, lines: list[tuple[str, str]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "reads.txt").write_text("".join(f"{p}\t{c}\n" for p, c in lines))


def write_replay(out: Path, plans: list[list[Request]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for n, plan in enumerate(plans, start=1):
        (out / f"plan_{n}.txt").write_bytes(b"".join(r.encode() for r in plan))


# -- read scenarios -----------------------------------------------------------------------------


def citizens_with_cards(seed: int, count: int) -> list[User]:
    """Generated citizens with an account and a card 正常, spread over the population."""
    ids = list(
        User.objects.filter(
            username__startswith=f"{USERNAME_PREFIX}{seed}-",
            person__cards__status=CardStatus.ACTIVE,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    step = max(1, len(ids) // count)
    chosen = ids[::step][:count]
    return list(User.objects.filter(pk__in=chosen).select_related("person"))


def reviewer(seed: int) -> User:
    from sscard.backoffice.otp import staff_totp_enrol
    from sscard.backoffice.roles import staff_groups_ensure

    user, created = User.objects.get_or_create(
        username=f"{USERNAME_PREFIX}reviewer",
        defaults={"role": User.Role.REVIEWER, "is_staff": True},
    )
    if created:
        user.set_unusable_password()
        user.save()
    groups = staff_groups_ensure()
    group = groups.get(User.Role.REVIEWER) or next(iter(groups.values()))
    user.groups.add(group)
    if not TOTPDevice.objects.filter(user=user).exists():
        staff_totp_enrol(user=user, actor=None)
    return user


def prepare_reads(scenario: str, out: Path, *, seed: int, sessions: int = 64) -> dict[str, Any]:
    lines: list[tuple[str, str]] = []
    if scenario == "baseline":
        lines = [("/bench/baseline", "")]
    elif scenario in ("floor", "progress", "status"):
        for user in citizens_with_cards(seed, sessions):
            browser = Browser.for_user(user, **{TRUST_KEY: int(TrustLevel.L3)})
            if scenario == "floor":
                path = "/bench/floor"
            elif scenario == "progress":
                path = f"/bundles/sscard/progress/person-{user.person_id}/"
            else:
                card = Card.objects.get(person=user.person, status=CardStatus.ACTIVE)
                path = f"/bundles/sscard/status/card-{card.pk}/"
            lines.append((path, browser.cookie))
    elif scenario in ("queue", "queue_filtered"):
        staff = reviewer(seed)
        device = TOTPDevice.objects.get(user=staff)
        path = "/staff/queue/"
        if scenario == "queue_filtered":
            district = Outlet.objects.order_by("code").values_list("district", flat=True)[0]
            path += f"?item=apply&status=accepted&district={quote(district)}"
        for _ in range(8):
            browser = Browser.for_user(staff, **{DEVICE_ID_SESSION_KEY: device.persistent_id})
            lines.append((path, browser.cookie))
    else:
        raise ValueError(scenario)
    write_reads(out, lines)
    return {"scenario": scenario, "sessions": len(lines)}


# -- write scenarios ----------------------------------------------------------------------------


def prepare_loss(out: Path, *, seed: int, threads: int, cycles: int) -> dict[str, Any]:
    """Each thread's citizen (face-verified: 解挂 needs trust L4) reports a temporary loss and
    cancels it, ``cycles`` times, through the portal's page → 确认 → 受理回执 flow."""
    people = _pool("loss", threads, seed=seed, fate=CardStatus.ACTIVE)
    plans = []
    cards = []
    for user in _users_of(people):
        browser = Browser.for_user(user, **{TRUST_KEY: int(TrustLevel.L4)})
        card = Card.objects.get(person=user.person)
        cards.append(card.pk)
        page = f"/bundles/sscard/loss/card-{card.pk}/"
        plan = []
        for _ in range(cycles):
            for action in ("temporary", "cancel"):
                token = str(uuid.uuid4())
                plan.append(
                    browser.form(
                        "POST",
                        page,
                        {"action": action, "token": token},
                        expect=302,
                        location=f"/drafts/{token}/",
                        tag="page",
                    )
                )
                plan.append(
                    browser.form(
                        "POST", f"/drafts/{token}/", {}, expect=302, location="/my/", tag="submit"
                    )
                )
        plans.append(plan)
    write_replay(out, plans)
    return {"scenario": "loss", "cards": cards, "since": timezone.now().isoformat()}


def _apply_fields(person: Person, outlet: Outlet, token: str) -> dict[str, str]:
    return {
        "token": token,
        "name": person.name,
        "gender": person.gender,
        "ethnicity": person.ethnicity,
        "nationality": "中国",
        "birth_date": person.birth_date.isoformat(),
        "phone": person.phone,
        "address": person.address,
        "postcode": person.postcode,
        "occupation": "",
        "bank": outlet.bank.code if outlet.bank else Bank.objects.values_list("code", flat=True)[0],
        "delivery": "outlet",
        "outlet": outlet.code,
    }


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = f"bench{secrets.token_hex(12)}"
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, data) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'
            ).encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def prepare_apply(
    out: Path, *, seed: int, threads: int, per_thread: int, photo: bool
) -> dict[str, Any]:
    """申领 for oneself through the portal: the item page (with the photo upload, or without
    one where the region's 免交照片年龄 exempts the applicant) → 确认 → 受理回执. Each
    submission needs a person with no card and no open application: a fresh pool."""
    from sscard.photos.samples import sample_portrait

    region = region_settings()
    before = region.photo_exempt_age
    # without a photo: every applicant is below the exemption age for this run (restored after)
    region.photo_exempt_age = 0 if photo else 150
    region.save(update_fields=["photo_exempt_age"])
    people = _pool("apply", threads * per_thread, seed=seed, fate="none")
    users = _users_of(people)
    outlets = list(Outlet.objects.select_related("bank").order_by("code"))
    jpeg = sample_portrait() if photo else b""
    plans: list[list[Request]] = [[] for _ in range(threads)]
    for n, user in enumerate(users):
        browser = Browser.for_user(user, **{TRUST_KEY: int(TrustLevel.L3)})
        token = str(uuid.uuid4())
        page = f"/bundles/sscard/apply/person-{user.person_id}/"
        assert user.person is not None  # noqa: S101 — the pool's accounts all have one
        fields = _apply_fields(user.person, outlets[n % len(outlets)], token)
        if photo:
            body, content_type = _multipart(fields, {"photo": ("photo.jpg", jpeg)})
            first = Request(
                "POST",
                page,
                expect=302,
                location=f"/drafts/{token}/",
                tag="page",
                headers=browser.headers(**{"Content-Type": content_type}),
                body=body,
            )
        else:
            first = browser.form(
                "POST", page, fields, expect=302, location=f"/drafts/{token}/", tag="page"
            )
        second = browser.form(
            "POST", f"/drafts/{token}/", {}, expect=302, location="/my/", tag="submit"
        )
        plans[n % threads] += [first, second]
    write_replay(out, plans)
    return {
        "scenario": "apply_photo" if photo else "apply",
        "people": [p.pk for p in people],
        "photo_exempt_age_before": before,
    }


def prepare_partner(
    out: Path, *, seed: int, threads: int, per_thread: int, orders: int = 200
) -> dict[str, Any]:
    """A bank's system reports production stages for a sent batch with signed requests
    (``sscard.partners.signing``), an ``Idempotency-Key`` each; the stages go forward
    (制卡中 → 市银行签收 → 网点签收) and then repeat, as partners resend."""
    people = _pool("partner", orders, seed=seed, fate="producing", stage=Stage.DATA_SENT)
    bank = Bank.objects.order_by("code").first()
    assert bank is not None  # noqa: S101
    order_rows = list(ProductionOrder.objects.filter(person__in=people).order_by("pk"))
    batch = Batch.objects.create(
        number=f"BENCH{secrets.token_hex(4).upper()}",
        bank=bank,
        status=BatchStatus.SENT,
        sent_at=timezone.now(),
    )
    ProductionOrder.objects.filter(pk__in=[o.pk for o in order_rows]).update(batch=batch, bank=bank)
    Card.objects.filter(order__in=order_rows).update(bank=bank)
    credentials = partner_create(name=PARTNER_NAME, kind=Partner.Kind.BANK, bank=bank, actor=None)
    path = f"/partner/api/v1/batches/{batch.number}/events"
    plans: list[list[Request]] = [[] for _ in range(threads)]
    now = int(time.time())
    total = threads * per_thread
    for n in range(total):
        order = order_rows[n % len(order_rows)]
        stage = EVENT_STAGES[min(n // len(order_rows), len(EVENT_STAGES) - 1)]
        body = json.dumps(
            {"events": [{"order_id": order.pk, "stage": stage, "place": "揭阳市分行"}]}
        ).encode()
        headers = signed_headers(
            key_id=credentials.partner.key_id,
            secret=credentials.secret,
            method="POST",
            path=path,
            body=body,
            timestamp=now,
        )
        headers |= {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}
        plans[n % threads].append(
            Request("POST", path, expect=200, tag="submit", headers=headers, body=body)
        )
    write_replay(out, plans)
    return {
        "scenario": "partner_events",
        "batch": batch.number,
        "orders": [o.pk for o in order_rows],
        "partner": credentials.partner.pk,
    }


def restore_region(meta: dict[str, Any]) -> None:
    """The region's 免交照片年龄 as it was before an 申领 scenario lifted or lowered it."""
    if "photo_exempt_age_before" in meta:
        region = region_settings()
        region.photo_exempt_age = meta["photo_exempt_age_before"]
        region.save(update_fields=["photo_exempt_age"])


# -- counting rows after a write scenario -------------------------------------------------------


def receipts_in(locations: str) -> list[str]:
    """The receipt numbers of the 受理回执 pages the server redirected to (``/my/<receipt>/``)."""
    found = []
    for line in locations.splitlines():
        parts = line.split("?")[0].strip("/").split("/")
        if len(parts) == 2 and parts[0] == "my":
            found.append(parts[1])
    return found


def check_rows(meta: dict[str, Any], submitted: int, locations: str = "") -> dict[str, Any]:
    """Rows written by a write scenario against the submissions the server confirmed during
    the run: ``lost`` (confirmed, yet no row) and ``duplicated`` (one submission, two rows)
    must both be 0. Rows beyond the confirmed ones were still in flight when wrk stopped
    counting (``late``)."""
    scenario = meta["scenario"]
    receipts = receipts_in(locations)
    extra: dict[str, Any] = {}
    if scenario in ("loss", "apply", "apply_photo"):
        if scenario == "loss":
            rows = Application.objects.filter(
                item=ItemCode.LOSS, card_id__in=meta["cards"], submitted_at__gte=meta["since"]
            )
            dup = rows.count() - rows.values("submission_key").distinct().count()
            extra["card_states"] = dict(
                Card.objects.filter(pk__in=meta["cards"])
                .values("status")
                .annotate(n=Count("pk"))
                .values_list("status", "n")
            )
        else:
            rows = Application.objects.filter(item=ItemCode.APPLY, subject_id__in=meta["people"])
            dup = rows.count() - rows.values("subject_id").distinct().count()
            restore_region(meta)
        found = rows.count()
        known = set(
            rows.filter(receipt_number__in=receipts).values_list("receipt_number", flat=True)
        )
        lost = len(set(receipts) - known)
        confirmed = len(receipts)
    elif scenario == "partner_events":
        found = Nonce.objects.filter(partner_id=meta["partner"]).count()
        events = ProductionEvent.objects.filter(order_id__in=meta["orders"], stage__in=EVENT_STAGES)
        dup = events.count() - events.values("order_id", "stage").distinct().count()
        lost = max(0, submitted - found)
        confirmed = submitted
        extra["stage_events"] = events.count()
    else:
        raise ValueError(scenario)
    return {
        "confirmed": confirmed,
        "rows": found,
        "lost": lost,
        "duplicated": dup,
        "late": max(0, found - confirmed),
        **extra,
    }
