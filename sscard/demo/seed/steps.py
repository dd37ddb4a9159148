"""What each step of a story does: the same service calls the portal and the staff pages make."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError

from sscard.accounts.models import Person, User, phone_hash
from sscard.accounts.services import person_find_or_create
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications import services as apps_services
from sscard.applications.constants import AppStatus, ItemCode, ReissueKind
from sscard.cards.models import Card
from sscard.cards.services import HashedServicePassword, card_expire_temporary_losses
from sscard.core.documents import validate_document
from sscard.demo.seed.clock import StoryClock
from sscard.demo.seed.people import Case, People, Profile
from sscard.demo.seed.reference import (
    DEMO_SERVICE_PASSWORD,
    FAILURE_REASONS,
    OCCUPATIONS,
    REJECT_REASONS,
    RETURN_CODES,
    RETURN_REASONS,
    partner_label,
)
from sscard.demo.seed.scenarios import Scenario
from sscard.payments.gateway import OrderState, notify_url
from sscard.payments.models import PaymentOrder, SimulatedOrder
from sscard.payments.services import payment_notified, payments_close_unpaid
from sscard.production import services as production
from sscard.production.constants import Delivery, Stage
from sscard.production.models import Batch, ProductionOrder
from sscard.production.reports import Report, ReportKind, batch_apply_reports
from sscard.verification.models import Challenge, Purpose


class StorySteps:
    """The steps of a story, ``step_<name>(case, scenario)``, mixed into the seeder, which
    provides the attributes below."""

    rng: random.Random
    people: People
    clock: StoryClock
    reviewer: User
    producer: User
    clerks: dict[int, User]
    photo: bytes
    household_scan: bytes
    guardian_scan: bytes
    bulk_password: HashedServicePassword
    citizen_serial: int

    def register(
        self, profile: Profile, *, username: str | None = None, password: str | None = None
    ) -> User:
        """A citizen's account with their person on record (name and ID number checked)."""
        facts = validate_document(profile.doc_type, profile.doc_number, today=self.people.today)
        person = person_find_or_create(facts=facts, details=profile.details(), now=self.clock.now())
        if username is None:
            self.citizen_serial += 1
            username = f"citizen{self.citizen_serial:03d}"
        user = User(
            username=username,
            role=User.Role.CITIZEN,
            person=person,
            date_joined=self.clock.now(),
            # the demo's holders registered with a code to their phone on file
            possession=User.Possession.SMS,
            possession_at=self.clock.now(),
        )
        user.set_password(password)  # None: signs in by face verification only
        user.save()
        return user

    def _upload(self, kind: str) -> SimpleUploadedFile:
        content = {
            "photo": self.photo,
            "household": self.household_scan,
            "guardian_proof": self.guardian_scan,
        }[kind]
        return SimpleUploadedFile(f"{kind}.jpg", content, content_type="image/jpeg")

    def _delivery_form(self, case: Case) -> dict[str, Any]:
        form: dict[str, Any] = {"bank": case.bank.code, "delivery": case.delivery}
        if case.delivery == Delivery.OUTLET:
            form["outlet"] = case.outlet.code
        else:
            form["mail_address"] = case.profile.address
        return form

    def step_register(self, case: Case, scenario: Scenario) -> None:
        user = self.register(case.profile)
        case.by = Requester(user, TrustLevel.L4)  # signs in by face verification
        case.person = user.person

    def step_submit(self, case: Case, scenario: Scenario) -> None:
        p = case.profile
        data = {
            "doc_type": p.doc_type,
            "doc_number": p.doc_number,
            "name": p.name,
            "gender": p.gender,
            "ethnicity": p.ethnicity,
            "birth_date": p.birth_date.isoformat(),
            "phone": p.phone,
            "address": p.address,
            "postcode": p.postcode,
            "occupation": p.occupation,
            **self._delivery_form(case),
        }
        files = {"photo": self._upload("photo")}
        if case.relationship:
            data["relationship"] = case.relationship
            files["household"] = self._upload("household")
            files["guardian_proof"] = self._upload("guardian_proof")
        case.production_order = None
        case.application = apps_services.application_submit_apply(
            requester=case.requester, data=data, files=files, now=self.clock.now()
        )
        case.person = case.application.subject

    def _card_request(self, case: Case, kind: str, reason: str = "") -> None:
        data = {"kind": kind, "reason": reason, **self._delivery_form(case)}
        case.production_order = None
        case.application = apps_services.application_submit_reissue(
            requester=case.requester, card=case.the_card, data=data, now=self.clock.now()
        )

    def step_reissue(self, case: Case, scenario: Scenario) -> None:
        self._card_request(case, ReissueKind.REISSUE)
        if "缴费" not in scenario.label:  # 补卡待缴费, 补卡逾期未缴费: not paid
            self._pay(case)

    def step_lapse(self, case: Case, scenario: Scenario) -> None:
        """The periodic sweep closes what was left unpaid past the region's days (未缴费)."""
        payments_close_unpaid(now=self.clock.now())
        case.app.refresh_from_db()

    def _pay(self, case: Case) -> None:
        """The holder paid the fee at the (simulated) gateway a few minutes after submitting:
        the gateway's books and our order as 去支付 leaves them, then its notification through
        the service that settles every payment. Nothing when nothing is owed online."""
        application = case.app
        if application.status != AppStatus.AWAITING_PAYMENT:
            return
        paid_at = self.clock.now() + timedelta(minutes=self.rng.randint(1, 20))
        order = PaymentOrder.objects.create(
            application=application,
            out_trade_no=f"P{application.receipt_number[-12:]}{self.rng.randrange(16**10):010X}",
            amount_fen=application.fee_fen,
            created_at=self.clock.now(),
            expires_at=self.clock.now() + timedelta(minutes=30),
            pay_url="http://127.0.0.1:8000/pay-sim/",
        )
        transaction_id = f"4200{self.rng.randrange(16**24):024x}"
        SimulatedOrder.objects.create(
            out_trade_no=order.out_trade_no,
            pay_token=f"demo{self.rng.randrange(16**30):030x}",
            description="社会保障卡补换卡 工本费",
            amount_fen=order.amount_fen,
            notify_url=notify_url(),
            state="SUCCESS",
            transaction_id=transaction_id,
            created_at=order.created_at,
            expires_at=order.expires_at,
            success_time=paid_at,
        )
        payment_notified(
            notify_id=f"demo-{order.out_trade_no}",
            event_type="TRANSACTION.SUCCESS",
            state=OrderState(
                out_trade_no=order.out_trade_no,
                trade_state="SUCCESS",
                amount_fen=order.amount_fen,
                transaction_id=transaction_id,
                success_time=paid_at,
            ),
            now=paid_at,
        )
        application.refresh_from_db()

    def step_replace(self, case: Case, scenario: Scenario) -> None:
        self._card_request(case, ReissueKind.REPLACE, scenario.replace_reason)
        self._pay(case)

    def step_accept(self, case: Case, scenario: Scenario) -> None:
        case.application = apps_services.application_accept(
            application=case.app, actor=self.reviewer, now=self.clock.now()
        )

    def step_return(self, case: Case, scenario: Scenario) -> None:
        reason, what = self.rng.choice(RETURN_REASONS)
        if case.app.item != ItemCode.APPLY:
            reason, what = "领卡方式信息有误，请核对领卡网点或邮寄地址", "delivery"
        case.to_correct = what
        case.application = apps_services.application_return(
            application=case.app,
            actor=self.reviewer,
            reason=reason,
            reason_code=RETURN_CODES[what],
            now=self.clock.now(),
        )

    def step_resubmit(self, case: Case, scenario: Scenario) -> None:
        data: dict[str, Any] = {}
        files: dict[str, Any] = {}
        if case.to_correct == "address":
            data["address"] = self.people.address(self.people.area_of(case.profile), building=True)
        elif case.to_correct == "photo":
            files["photo"] = self._upload("photo")
        case.application = apps_services.application_resubmit(
            requester=case.requester,
            application=case.app,
            data=data,
            files=files,
            now=self.clock.now(),
        )

    def step_reject(self, case: Case, scenario: Scenario) -> None:
        reason, code = self.rng.choice(REJECT_REASONS)
        if case.app.item != ItemCode.APPLY:
            reason = "经核查该卡挂失、补换卡信息与银行记录不一致，请到社保卡服务网点办理"
            code = "not_eligible"
        case.application = apps_services.application_reject(
            application=case.app,
            actor=self.reviewer,
            reason=reason,
            reason_code=code,
            now=self.clock.now(),
        )

    def step_withdraw(self, case: Case, scenario: Scenario) -> None:
        case.application = apps_services.application_withdraw(
            requester=case.requester, application=case.app, now=self.clock.now()
        )

    def step_approve(self, case: Case, scenario: Scenario) -> None:
        case.application = apps_services.application_approve(
            application=case.app, actor=self.reviewer, now=self.clock.now()
        )
        case.production_order = case.application.production_order

    def step_send(self, case: Case, scenario: Scenario) -> None:
        """数据录入 as the production officer does it at /staff/production/: the order goes
        into a new batch of its bank (after 制卡失败 too), and the batch is sent."""
        order, now = case.order, self.clock.now()
        batch = production.batch_create(
            bank=order.bank, order_ids=[order.pk], actor=self.producer, now=now
        )
        production.batch_send(batch=batch, actor=self.producer, now=now)
        order.refresh_from_db()

    def _batch_of(self, case: Case) -> Batch:
        case.order.refresh_from_db()
        if case.order.batch_id is None:
            raise CommandError("demo story: an order with the bank belongs to no batch")
        return Batch.objects.get(pk=case.order.batch_id)

    def _bank_takes_over(self, case: Case) -> None:
        """The bank's system acknowledges the batch (已接收) before it reports on its orders,
        as the partner simulator does; saying so again changes nothing."""
        bank = case.order.bank
        production.batch_acknowledge(
            batch=self._batch_of(case), by=partner_label(bank), now=self.clock.now()
        )

    def _batch_settles(self, case: Case) -> None:
        """已完成 once none of the batch's orders is still with the bank or the factory."""
        production.batch_refresh_status(self._batch_of(case), now=self.clock.now())

    def step_produce(self, case: Case, scenario: Scenario) -> None:
        self._bank_takes_over(case)
        production.order_advance(
            order=case.order,
            to=Stage.PRODUCING,
            actor=None,
            place=f"{case.order.bank.name}制卡中心",
            now=self.clock.now(),
        )

    def step_city(self, case: Case, scenario: Scenario) -> None:
        production.order_advance(
            order=case.order,
            to=Stage.CITY_BANK,
            actor=None,
            place=f"{case.order.bank.name}揭阳分行",
            now=self.clock.now(),
        )

    def step_outlet(self, case: Case, scenario: Scenario) -> None:
        order = case.order
        production.order_advance(
            order=order, to=Stage.OUTLET, actor=self._clerk_of(order), now=self.clock.now()
        )
        self._batch_settles(case)

    def _clerk_of(self, order: ProductionOrder) -> User:
        """The counter clerk of the outlet the card goes to."""
        if order.outlet_id is None:
            raise CommandError("demo story: a mailed card has no outlet clerk")
        return self.clerks[order.outlet_id]

    def step_mail(self, case: Case, scenario: Scenario) -> None:
        tracking = f"SF{self.rng.randrange(10**12, 10**13)}"
        production.order_advance(
            order=case.order,
            to=Stage.MAILED,
            actor=None,
            place=f"{case.order.bank.name}揭阳分行",
            tracking_number=tracking,
            now=self.clock.now(),
        )
        self._batch_settles(case)

    def step_delivered(self, case: Case, scenario: Scenario) -> None:
        """The courier's 已投递 (a parcel locker): the holder has the region's days to confirm."""
        order = ProductionOrder.objects.select_related("batch").get(pk=case.order.pk)
        if order.batch is None:
            raise CommandError("demo story: a mailed card was sent in no batch")
        batch_apply_reports(
            batch=order.batch,
            reports=[
                (
                    "events.0",
                    Report(
                        order.pk,
                        ReportKind.STAGE,
                        stage=Stage.DELIVERED,
                        place="丰巢快递柜",
                        tracking_number=order.tracking_number,
                    ),
                )
            ],
            by=f"{order.bank.name}（快递）",
            now=self.clock.now(),
        )

    def step_fail(self, case: Case, scenario: Scenario) -> None:
        self._bank_takes_over(case)
        production.order_fail(
            order=case.order,
            reason=self.rng.choice(FAILURE_REASONS),
            actor=self.producer,
            now=self.clock.now(),
        )
        self._batch_settles(case)

    def step_collect(self, case: Case, scenario: Scenario) -> None:
        order = case.order
        if order.delivery == Delivery.OUTLET:
            application = apps_services.application_handover(
                order=order,
                actor=self._clerk_of(order),
                doc_type=order.person.doc_type,
                doc_number=order.person.doc_number,
                now=self.clock.now(),
            )
        else:
            application = apps_services.application_confirm_delivery(
                order=order, actor=None, now=self.clock.now()
            )
        case.application = application
        case.card = Card.objects.get(pk=order.card_id)

    def step_enable(self, case: Case, scenario: Scenario) -> None:
        apps_services.item_enable(
            requester=case.requester,
            card=case.the_card,
            # the crowd's cards share one hash of the bulk password (hashing one takes a third
            # of a second)
            password=DEMO_SERVICE_PASSWORD if case.real_enable else self.bulk_password,
            now=self.clock.now(),
        )
        case.the_card.refresh_from_db()

    def _loss(self, case: Case, action: str) -> None:
        apps_services.item_report_loss(
            requester=case.requester,
            card=case.the_card,
            action=action,
            confirmed_irreversible=True,
            now=self.clock.now(),
        )
        case.the_card.refresh_from_db()

    def step_temp_loss(self, case: Case, scenario: Scenario) -> None:
        self._loss(case, apps_services.LossAction.TEMPORARY)

    def step_formal_loss(self, case: Case, scenario: Scenario) -> None:
        self._loss(case, apps_services.LossAction.FORMAL)

    def step_cancel_loss(self, case: Case, scenario: Scenario) -> None:
        self._loss(case, apps_services.LossAction.CANCEL)

    def step_expire(self, case: Case, scenario: Scenario) -> None:
        card_expire_temporary_losses(now=self.clock.now())
        case.the_card.refresh_from_db()

    def step_change(self, case: Case, scenario: Scenario) -> None:
        person = Person.objects.get(pk=case.the_person.pk)
        if self.rng.random() < 0.5:
            phone = self.people.phone()
            while phone == person.phone:
                phone = self.people.phone()
            changes = {"phone": phone}
        else:
            address = person.address
            while address == person.address:  # moved house within the district
                address = self.people.address(self.people.area_of(case.profile))
            changes = {"address": address, "occupation": self.rng.choice(OCCUPATIONS)}
        apps_services.item_change_contact(
            requester=case.requester,
            person=person,
            changes=changes,
            phone_challenge=self._new_phone_entered(case.requester.user, person, changes),
            now=self.clock.now(),
        )

    def _new_phone_entered(self, user: User, person: Person, changes: dict[str, str]) -> Any:
        """The code texted to a new phone number and typed in by the person: the demo writes
        the proved challenge as the 信息变更 page leaves it (no text goes out)."""
        if "phone" not in changes:
            return None
        now = self.clock.now()
        return Challenge.objects.create(
            purpose=Purpose.NEW_PHONE,
            phone=changes["phone"],
            phone_hash=phone_hash(changes["phone"]),
            user=user,
            person=person,
            expires_at=now + timedelta(minutes=5),
            sent_at=now,
            used_at=now,
            created_at=now,
        ).pk

    # -- the cast ----------------------------------------------------------------------------
