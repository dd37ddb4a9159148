"""People and their accounts: a person, a citizen's account (``PASSWORD`` signs it in), a
staff account in its role's group, an employer and its agent's account, a guardianship."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import factory
from django.utils import timezone

from sscard.accounts.models import Employer, Guardianship, Person, User
from sscard.accounts.trust import Requester, TrustLevel
from sscard.testing.ids import JIEYANG_AREAS, resident_id, uscc

_rng = random.Random(20261129)  # noqa: S311


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


def requester_for(user: User, trust: TrustLevel = TrustLevel.L4) -> Requester:
    return Requester(user=user, trust=trust)
