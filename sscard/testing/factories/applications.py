"""Applications (办件) at any status, their materials, the portal's drafts and an
employer's 批量申领 batch."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from sscard.accounts.models import Person
from sscard.applications.constants import (
    CARD_ITEMS,
    ApplicationAction,
    AppStatus,
    ItemCode,
    MaterialKind,
)
from sscard.production.constants import Delivery
from sscard.regions.models import Bank, Outlet
from sscard.testing.factories.cards import BankFactory, CardFactory, OutletFactory
from sscard.testing.factories.people import (
    EmployerAgentFactory,
    EmployerFactory,
    PersonFactory,
    StaffFactory,
    UserFactory,
)
from sscard.testing.factories.production import ProductionOrderFactory


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
            actor = obj.applicant if action == "withdraw" else obj.reviewer
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
