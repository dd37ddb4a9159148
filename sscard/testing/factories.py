"""factory_boy factories with named states, e.g. ``CardFactory(lost_formally=True)``."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import factory
from django.utils import timezone

from sscard.accounts.models import Employer, Guardianship, Person, User
from sscard.accounts.trust import Requester, TrustLevel
from sscard.applications.constants import (
    CARD_ITEMS,
    ApplicationAction,
    AppStatus,
    ItemCode,
    MaterialKind,
)
from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.production.constants import BatchStatus, Delivery, Stage
from sscard.regions.models import Bank, Outlet
from sscard.testing.ids import JIEYANG_AREAS, resident_id, uscc

_rng = random.Random(20261129)  # noqa: S311


class BankFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bank
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"B{n:03d}")
    name = factory.Sequence(lambda n: f"合作银行{n}")


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"O{n:03d}")
    name = factory.Sequence(lambda n: f"榕城区社保卡服务网点{n}")
    district = "榕城区"
    address = "揭阳市榕城区临江北路1号"
    bank = factory.SubFactory(BankFactory)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        minor = factory.Trait(
            birth_date=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365 * 8))
        )

    doc_type = "resident_id"
    birth_date = date(1988, 5, 17)
    gender = "M"
    # distinct within a run: 5 areas x 499 serials for each birth date and sex
    doc_number = factory.LazyAttributeSequence(
        lambda o, n: resident_id(
            o.birth_date, male=o.gender == "M", area=JIEYANG_AREAS[n % 5], serial=(n // 5) % 499
        )
    )
    name = factory.Sequence(lambda n: "张" + "三四五六七八九"[n % 7] + "丰"[: n % 2])
    ethnicity = "汉族"
    nationality = "中国"
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    address = "广东省揭阳市榕城区进贤门大道88号"


# every factory account's password (≥ 12 characters), for tests that sign in with it
PASSWORD = "correct horse battery"  # noqa: S105


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    class Params:
        # registered with a name and an ID number alone, before registration proved possession
        unproved = factory.Trait(possession="", possession_at=None)

    username = factory.Sequence(lambda n: f"user{n}")
    role = User.Role.CITIZEN
    person = factory.SubFactory(PersonFactory)
    password = factory.django.Password(PASSWORD)
    possession = User.Possession.SMS
    possession_at = factory.LazyFunction(timezone.now)


class StaffFactory(UserFactory):
    """A staff account in its role's group (``backoffice.roles``), so it holds exactly the
    permissions the back office grants that role. A transactional test's flush removes the
    groups the data migrations made: they are put back first."""

    role = User.Role.REVIEWER
    person = None
    is_staff = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from django.contrib.auth.models import Group

        from sscard.backoffice.roles import ROLE_GROUPS, staff_groups_ensure

        name = ROLE_GROUPS.get(kwargs.get("role", cls.role), ("", ()))[0]
        if name and not Group.objects.filter(name=name).exists():
            staff_groups_ensure()
        return super()._create(model_class, *args, **kwargs)


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"揭阳市示例科技有限公司{n}")
    uscc = factory.LazyFunction(lambda: uscc(rng=_rng))
    status = Employer.Status.APPROVED  # an employer already let in; the traits are the others

    class Params:
        pending = factory.Trait(status=Employer.Status.PENDING)
        refused = factory.Trait(
            status=Employer.Status.REFUSED, refusal_reason="营业执照照片模糊，无法辨认"
        )

    @factory.post_generation
    def licence(obj: Employer, create: bool, extracted: Any, **kwargs: Any) -> None:
        """``EmployerFactory(licence=True)``: a 营业执照 scan (a PNG) stored for it."""
        if not (create and extracted):
            return
        from django.core.files.storage import default_storage

        from sscard.photos.uploads import HardenedFile
        from sscard.testing.photos import png_photo

        obj.license_file = default_storage.save(
            f"employer-licences/test-{obj.pk}.png", HardenedFile(png_photo(), "image/png")
        )
        obj.license_content_type = "image/png"
        obj.save(update_fields=["license_file", "license_content_type"])


class EmployerAgentFactory(UserFactory):
    """An employer's account (单位账号): no person of its own, one employer."""

    role = User.Role.EMPLOYER
    person = None
    employer = factory.SubFactory(EmployerFactory)


class GuardianshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardianship

    guardian = factory.SubFactory(PersonFactory)
    ward = factory.SubFactory(PersonFactory, minor=True)
    relationship = Guardianship.Relationship.MOTHER


class CardFactory(factory.django.DjangoModelFactory):
    """A card in any state, written directly (the services are tested on their own)."""

    class Meta:
        model = Card

    class Params:
        sealed = factory.Trait(status=CardStatus.SEALED)
        producing = factory.Trait(status=CardStatus.PRODUCING, issued_on=None, expires_on=None)
        lost_temporarily = factory.Trait(
            status=CardStatus.TEMP_LOST,
            status_before_loss=CardStatus.ACTIVE,
            loss_expires_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=10)),
        )
        lost_formally = factory.Trait(status=CardStatus.LOST)
        cancelled = factory.Trait(status=CardStatus.CANCELLED)

    person = factory.SubFactory(PersonFactory)
    number = factory.Sequence(lambda n: f"A{n:08d}")
    issuing_area = "445200"
    bank = factory.SubFactory(BankFactory)
    status = CardStatus.ACTIVE
    issued_on = date(2020, 6, 1)
    expires_on = date(2030, 6, 1)


def requester_for(user: User, trust: TrustLevel = TrustLevel.L4) -> Requester:
    return Requester(user=user, trust=trust)


# ---------------------------------------------------------------------------------------------
# Production: batches and orders, written directly at any stage


class ProductionBatchFactory(factory.django.DjangoModelFactory):
    """制卡批次 of one bank: 待发送 by default; traits ``sent``, ``acknowledged``, ``done``."""

    class Meta:
        model = "production.Batch"

    class Params:
        sent = factory.Trait(status=BatchStatus.SENT, sent_at=factory.LazyFunction(timezone.now))
        acknowledged = factory.Trait(
            status=BatchStatus.ACKNOWLEDGED,
            sent_at=factory.LazyFunction(timezone.now),
            acknowledged_at=factory.LazyFunction(timezone.now),
            acknowledged_by="工商银行接口",
        )
        done = factory.Trait(
            status=BatchStatus.DONE,
            sent_at=factory.LazyFunction(timezone.now),
            done_at=factory.LazyFunction(timezone.now),
        )

    number = factory.Sequence(lambda n: f"PB{timezone.localdate():%Y%m%d}{n:06X}")
    bank = factory.SubFactory(BankFactory)
    status = BatchStatus.DRAFT
    created_by = factory.SubFactory(StaffFactory, role=User.Role.PRODUCER)


# the stages an order passes through to reach each stage (its timeline)
_STAGE_PATHS: dict[str, tuple[str, ...]] = {
    Stage.APPROVED: (Stage.APPROVED,),
    Stage.DATA_SENT: (Stage.APPROVED, Stage.DATA_SENT),
    Stage.PRODUCING: (Stage.APPROVED, Stage.DATA_SENT, Stage.PRODUCING),
    Stage.CITY_BANK: (Stage.APPROVED, Stage.DATA_SENT, Stage.PRODUCING, Stage.CITY_BANK),
    Stage.OUTLET: (Stage.APPROVED, Stage.DATA_SENT, Stage.PRODUCING, Stage.CITY_BANK, Stage.OUTLET),
    Stage.MAILED: (Stage.APPROVED, Stage.DATA_SENT, Stage.PRODUCING, Stage.CITY_BANK, Stage.MAILED),
    Stage.DELIVERED: (
        *(Stage.APPROVED, Stage.DATA_SENT, Stage.PRODUCING, Stage.CITY_BANK),
        *(Stage.MAILED, Stage.DELIVERED),
    ),
    Stage.FAILED: (Stage.APPROVED, Stage.DATA_SENT, Stage.FAILED),
}


def _in_batch(**extra: Any) -> Any:
    return factory.SubFactory(
        ProductionBatchFactory, sent=True, bank=factory.SelfAttribute("..bank"), **extra
    )


class ProductionOrderFactory(factory.django.DjangoModelFactory):
    """制卡订单 at any stage, with its new card (制卡中 until collected, then 封存) and its
    timeline (one event per stage passed). Collected at an outlet by default
    (``delivery="outlet"``); trait ``mail`` posts it. Stage traits: ``data_sent``,
    ``producing``, ``city_bank``, ``at_outlet``, ``mailed``, ``delivered``, ``collected``,
    ``failed``; from 数据录入 on, the order is in a sent batch of its bank."""

    class Meta:
        model = "production.ProductionOrder"
        skip_postgeneration_save = True

    class Params:
        mail = factory.Trait(
            delivery=Delivery.MAIL, outlet=None, mail_address="广东省揭阳市榕城区新阳路18号"
        )
        data_sent = factory.Trait(stage=Stage.DATA_SENT, batch=_in_batch())
        producing = factory.Trait(stage=Stage.PRODUCING, batch=_in_batch())
        city_bank = factory.Trait(stage=Stage.CITY_BANK, batch=_in_batch())
        at_outlet = factory.Trait(stage=Stage.OUTLET, batch=_in_batch())
        mailed = factory.Trait(
            mail=True, stage=Stage.MAILED, tracking_number="SF1234567890", batch=_in_batch()
        )
        delivered = factory.Trait(
            mail=True, stage=Stage.DELIVERED, tracking_number="SF1234567890", batch=_in_batch()
        )
        collected = factory.Trait(stage=Stage.COLLECTED, batch=_in_batch())
        failed = factory.Trait(stage=Stage.FAILED, failure_reason="芯片损坏", batch=_in_batch())

    person = factory.SubFactory(PersonFactory)
    bank = factory.SubFactory(BankFactory)
    card = factory.SubFactory(
        CardFactory,
        producing=True,
        person=factory.SelfAttribute("..person"),
        bank=factory.SelfAttribute("..bank"),
    )
    stage = Stage.APPROVED
    delivery = Delivery.OUTLET
    outlet = factory.SubFactory(OutletFactory, bank=factory.SelfAttribute("..bank"))
    mail_address = ""

    @factory.post_generation
    def timeline(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        from sscard.production.models import ProductionEvent

        if obj.stage == Stage.COLLECTED:  # the card in hand: 封存 until enabled
            before = Stage.MAILED if obj.delivery == Delivery.MAIL else Stage.OUTLET
            path = (*_STAGE_PATHS[before], Stage.COLLECTED)
            today = timezone.localdate()
            obj.card.status = CardStatus.SEALED
            obj.card.issued_on = today
            obj.card.expires_on = today.replace(year=today.year + 10, day=min(today.day, 28))
            obj.card.save(update_fields=["status", "issued_on", "expires_on"])
        else:
            path = _STAGE_PATHS[obj.stage]
        for stage in path:
            ProductionEvent.objects.create(order=obj, stage=stage, actor_label="系统")


# ---------------------------------------------------------------------------------------------
# Applications (办件), their materials and the portal's drafts


def apply_form_data(person: Person, bank: Bank, outlet: Outlet | None, **overrides: Any) -> dict:
    """The entries of a 申领 as the service stores them (``form_data``)."""
    delivery = overrides.pop("delivery", "outlet" if outlet is not None else "mail")
    return {
        "doc_type": person.doc_type,
        "doc_number": person.doc_number,
        "name": person.name,
        "gender": person.gender,
        "ethnicity": person.ethnicity,
        "nationality": person.nationality,
        "birth_date": person.birth_date.isoformat(),
        "phone": person.phone,
        "address": person.address,
        "occupation": "教师",
        "bank": bank.code,
        "delivery": delivery,
        **(
            {"outlet": outlet.code}
            if delivery == "outlet" and outlet is not None
            else {"mail_address": "广东省揭阳市榕城区新阳路18号"}
        ),
        **overrides,
    }


# the timeline of a card request at each status: (action, from, to)
_STATUS_PATHS: dict[str, tuple[tuple[ApplicationAction, str, str], ...]] = {
    AppStatus.SUBMITTED: (),
    AppStatus.ACCEPTED: ((ApplicationAction.ACCEPT, AppStatus.SUBMITTED, AppStatus.ACCEPTED),),
    AppStatus.RETURNED: (
        (ApplicationAction.ACCEPT, AppStatus.SUBMITTED, AppStatus.ACCEPTED),
        (ApplicationAction.RETURN, AppStatus.ACCEPTED, AppStatus.RETURNED),
    ),
    AppStatus.APPROVED: (
        (ApplicationAction.ACCEPT, AppStatus.SUBMITTED, AppStatus.ACCEPTED),
        (ApplicationAction.APPROVE, AppStatus.ACCEPTED, AppStatus.APPROVED),
    ),
    AppStatus.REJECTED: (
        (ApplicationAction.ACCEPT, AppStatus.SUBMITTED, AppStatus.ACCEPTED),
        (ApplicationAction.REJECT, AppStatus.ACCEPTED, AppStatus.REJECTED),
    ),
    AppStatus.WITHDRAWN: ((ApplicationAction.WITHDRAW, AppStatus.SUBMITTED, AppStatus.WITHDRAWN),),
    AppStatus.COMPLETED: (
        (ApplicationAction.ACCEPT, AppStatus.SUBMITTED, AppStatus.ACCEPTED),
        (ApplicationAction.APPROVE, AppStatus.ACCEPTED, AppStatus.APPROVED),
        (ApplicationAction.COMPLETE, AppStatus.APPROVED, AppStatus.COMPLETED),
    ),
}


def _decided(**extra: Any) -> dict[str, Any]:
    return {
        "accepted_at": factory.LazyFunction(timezone.now),
        "reviewer": factory.SubFactory(StaffFactory),
        **extra,
    }


def _order_for_application(**traits: Any) -> Any:
    return factory.SubFactory(
        ProductionOrderFactory,
        person=factory.SelfAttribute("..subject"),
        bank=factory.SelfAttribute("..bank"),
        delivery=factory.SelfAttribute("..delivery"),
        outlet=factory.LazyAttribute(
            lambda o: o.factory_parent.outlet if o.delivery == Delivery.OUTLET else None
        ),
        mail_address=factory.LazyAttribute(
            lambda o: o.factory_parent.form_data.get("mail_address", "")
        ),
        **traits,
    )


class ApplicationFactory(factory.django.DjangoModelFactory):
    """办件 written directly at any status, with its timeline; the services are tested on
    their own. A 申领 of the applicant for themselves, 已提交, by default.

    Status traits: ``accepted``, ``returned``, ``approved`` (with its production order),
    ``rejected``, ``withdrawn``, ``completed`` (its card collected). Item traits: ``reissue``
    (of a formally lost card), ``enable``, ``loss`` (临时挂失), ``change`` (the phone), the
    last three done at once. ``delivery="mail", outlet=None`` posts the card. A card request
    comes with its photo (a :class:`MaterialFactory`) unless ``photo=False``."""

    class Meta:
        model = "applications.Application"
        skip_postgeneration_save = True

    class Params:
        bank = factory.SubFactory(BankFactory)
        delivery = Delivery.OUTLET

        accepted = factory.Trait(
            status=AppStatus.ACCEPTED,
            due_on=factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=28)),
            **_decided(),
        )
        returned = factory.Trait(
            status=AppStatus.RETURNED,
            paused_since=factory.LazyFunction(timezone.localdate),
            staff_note="照片不符合制卡要求",
            reason_code="photo",
            **_decided(),
        )
        approved = factory.Trait(
            status=AppStatus.APPROVED,
            production_order=_order_for_application(),
            **_decided(decided_at=factory.LazyFunction(timezone.now)),
        )
        rejected = factory.Trait(
            status=AppStatus.REJECTED,
            staff_note="不符合申领条件",
            reason_code="not_eligible",
            **_decided(decided_at=factory.LazyFunction(timezone.now)),
        )
        withdrawn = factory.Trait(status=AppStatus.WITHDRAWN)
        completed = factory.Trait(
            status=AppStatus.COMPLETED,
            production_order=_order_for_application(collected=True),
            completed_at=factory.LazyFunction(timezone.now),
            **_decided(decided_at=factory.LazyFunction(timezone.now)),
        )

        reissue = factory.Trait(
            item=ItemCode.REISSUE,
            card=factory.SubFactory(
                CardFactory,
                lost_formally=True,
                person=factory.SelfAttribute("..subject"),
                bank=factory.SelfAttribute("..bank"),
            ),
            form_data=factory.LazyAttribute(
                lambda o: {
                    "kind": "reissue",
                    "bank": o.bank.code,
                    "delivery": o.delivery,
                    **(
                        {"outlet": o.outlet.code}
                        if o.delivery == Delivery.OUTLET
                        else {"mail_address": "广东省揭阳市榕城区新阳路18号"}
                    ),
                }
            ),
        )
        enable = factory.Trait(
            item=ItemCode.ENABLE,
            outlet=None,
            status=AppStatus.COMPLETED,
            completed_at=factory.LazyFunction(timezone.now),
            card=factory.SubFactory(CardFactory, person=factory.SelfAttribute("..subject")),
            form_data={},
        )
        loss = factory.Trait(
            item=ItemCode.LOSS,
            outlet=None,
            status=AppStatus.COMPLETED,
            completed_at=factory.LazyFunction(timezone.now),
            card=factory.SubFactory(
                CardFactory, lost_temporarily=True, person=factory.SelfAttribute("..subject")
            ),
            form_data={"action": "temporary"},
        )
        change = factory.Trait(
            item=ItemCode.CHANGE,
            outlet=None,
            status=AppStatus.COMPLETED,
            completed_at=factory.LazyFunction(timezone.now),
            form_data={"fields": ["phone"]},
        )

    receipt_number = factory.Sequence(lambda n: f"445200{timezone.localdate():%Y%m%d}{n:010d}")
    item = ItemCode.APPLY
    applicant = factory.SubFactory(UserFactory)
    subject = factory.LazyAttribute(lambda o: o.applicant.person or PersonFactory())
    status = AppStatus.SUBMITTED
    form_data = factory.LazyAttribute(
        lambda o: apply_form_data(
            o.subject,
            o.bank,
            o.outlet,
            delivery=o.delivery,
        )
    )
    # the 领卡网点 chosen (none when the card is posted: ``delivery="mail", outlet=None``)
    outlet = factory.SubFactory(OutletFactory, bank=factory.SelfAttribute("..bank"))

    @factory.post_generation
    def photo(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        """A card request comes with its 证件照 (``photo=False``: without)."""
        if create and obj.item in CARD_ITEMS and extracted is not False:
            MaterialFactory(application=obj)

    @factory.post_generation
    def timeline(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        """``submit`` as the applicant, then each step up to the status as the reviewer."""
        if not create:
            return
        from sscard.applications.models import ApplicationEvent
        from sscard.audit.services import actor_label

        first = obj.status if obj.item not in CARD_ITEMS else AppStatus.SUBMITTED
        ApplicationEvent.objects.create(
            application=obj,
            action=ApplicationAction.SUBMIT,
            to_status=first,
            actor_id=obj.applicant_id,
            actor_label=actor_label(obj.applicant),
        )
        if obj.item not in CARD_ITEMS:
            return
        for action, before, after in _STATUS_PATHS[obj.status]:
            actor = obj.applicant if action == ApplicationAction.WITHDRAW else obj.reviewer
            ApplicationEvent.objects.create(
                application=obj,
                action=action,
                from_status=before,
                to_status=after,
                actor_id=actor.pk,
                actor_label=actor_label(actor),
            )


def _photo_check() -> dict[str, Any]:
    """The automatic check of :func:`compliant_photo`, as a photo material stores it."""
    global _PHOTO_CHECK
    if _PHOTO_CHECK is None:
        from sscard.photos.verdict import examine_photo
        from sscard.testing.photos import compliant_photo, upload

        _PHOTO_CHECK = examine_photo(upload(compliant_photo())).as_check()
    return dict(_PHOTO_CHECK)


_PHOTO_CHECK: dict[str, Any] | None = None


def _jpeg(name: str) -> Any:
    """A real card photo that meets the spec, made when a material is (not at import)."""
    from django.core.files.base import ContentFile

    from sscard.testing.photos import compliant_photo

    return factory.LazyFunction(lambda: ContentFile(compliant_photo(), name=name))


class MaterialFactory(factory.django.DjangoModelFactory):
    """申请材料 of an application's subject: a 证件照 (a real photo that meets the spec, with
    its check) by default; trait ``document`` for a 证件扫描件."""

    class Meta:
        model = "applications.Material"

    class Params:
        document = factory.Trait(kind=MaterialKind.ID_SCAN, file=_jpeg("scan.jpg"), photo_check={})

    application = factory.SubFactory(ApplicationFactory)
    person = factory.SelfAttribute("application.subject")
    kind = MaterialKind.PHOTO
    content_type = "image/jpeg"
    file = _jpeg("photo.jpg")
    size = factory.LazyAttribute(lambda o: o.file.size)
    photo_check = factory.LazyFunction(_photo_check)


class DraftFactory(factory.django.DjangoModelFactory):
    """The portal's draft (草稿) of a 申领 for oneself, as its page leaves it before the
    confirmation; trait ``loss`` for a 临时挂失 of a card."""

    class Meta:
        model = "portal.Draft"

    class Params:
        bank = factory.SubFactory(BankFactory)
        outlet = factory.SubFactory(OutletFactory, bank=factory.SelfAttribute("..bank"))
        loss = factory.Trait(
            item=ItemCode.LOSS,
            outlet=None,
            subject=None,
            card=factory.SubFactory(CardFactory, person=factory.SelfAttribute("..user.person")),
            data=factory.LazyAttribute(
                lambda o: {
                    "action": "temporary",
                    "confirmed_irreversible": False,
                    "_target": f"card-{o.card.pk}",
                    "_bundle": "sscard",
                }
            ),
        )

    user = factory.SubFactory(UserFactory)
    item = ItemCode.APPLY
    subject = factory.SelfAttribute("user.person")
    data = factory.LazyAttribute(
        lambda o: {
            **{
                key: value
                for key, value in apply_form_data(o.subject, o.bank, o.outlet).items()
                if key not in ("doc_type", "doc_number")
            },
            "_target": f"person-{o.subject.pk}",
            "_bundle": "sscard",
        }
    )


class EmployerBatchFactory(factory.django.DjangoModelFactory):
    """An employer's 批量申领 batch (its rows are not made): 待确认提交 by default; traits
    ``validating``, ``submitted``, ``failed``, ``cancelled``."""

    class Meta:
        model = "employers.Batch"

    class Params:
        validating = factory.Trait(status="validating", checked_count=0, good_count=0)
        submitted = factory.Trait(
            status="submitted",
            submitted_count=factory.SelfAttribute("good_count"),
            submitted_by=factory.SelfAttribute("created_by"),
            submitted_at=factory.LazyFunction(timezone.now),
        )
        failed = factory.Trait(status="failed", notice="文件无法读取，请检查后重新上传")
        cancelled = factory.Trait(status="cancelled")

    employer = factory.SubFactory(EmployerFactory)
    created_by = factory.SubFactory(
        EmployerAgentFactory, employer=factory.SelfAttribute("..employer")
    )
    file_hash = factory.Sequence(lambda n: f"{n:064x}")
    workbook_file = factory.Sequence(lambda n: f"employer-batches/test-{n}.xlsx")
    status = "ready"
    row_count = 3
    checked_count = 3
    good_count = 3
