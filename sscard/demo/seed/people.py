"""Made-up people of Jieyang (faker zh_CN) and the case of one person's story."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.management.base import CommandError
from faker import Faker

from sscard.accounts.models import Person
from sscard.accounts.trust import Requester
from sscard.applications.models import Application
from sscard.cards.models import Card
from sscard.core.documents import DocType, Gender
from sscard.core.validators import PHONE_RE
from sscard.demo.seed.reference import AREA_WEIGHTS, DISTRICTS, OCCUPATIONS, area_code
from sscard.production.models import ProductionOrder
from sscard.regions.models import Bank, Outlet
from sscard.testing.ids import resident_id


@dataclass
class Profile:
    doc_type: str
    doc_number: str
    name: str
    gender: str
    birth_date: date
    ethnicity: str
    phone: str
    address: str
    postcode: str
    occupation: str
    district: str
    surname: str

    def details(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "gender": self.gender,
            "ethnicity": self.ethnicity,
            "nationality": "中国",
            "birth_date": self.birth_date,
            "phone": self.phone,
            "address": self.address,
            "postcode": self.postcode,
            "occupation": self.occupation,
        }


@dataclass
class Case:
    """One person's story: who acts for them, and what they have so far."""

    by: Requester | None  # the holder, their guardian or their employer; None until registered
    profile: Profile
    bank: Bank
    delivery: str
    outlet: Outlet
    real_enable: bool = False
    relationship: str = ""  # set when a guardian applies
    production_order: ProductionOrder | None = None
    person: Person | None = None
    application: Application | None = None
    card: Card | None = None
    to_correct: str = ""  # what the reviewer asked to correct (退回补正)

    @property
    def requester(self) -> Requester:
        if self.by is None:
            raise CommandError("demo story: nobody acts yet")
        return self.by

    @property
    def app(self) -> Application:
        if self.application is None:
            raise CommandError("demo story: no application yet")
        return self.application

    @property
    def the_card(self) -> Card:
        if self.card is None:
            raise CommandError("demo story: no card yet")
        return self.card

    @property
    def the_person(self) -> Person:
        if self.person is None:
            raise CommandError("demo story: no person yet")
        return self.person

    @property
    def order(self) -> ProductionOrder:
        if self.production_order is None:
            self.production_order = self.app.production_order
        if self.production_order is None:
            raise CommandError("demo story: no production order yet")
        return self.production_order


class People:
    """Draws people from ``rng`` and ``fake`` (the seeder's, so the draws keep their order):
    distinct ID numbers, phones that pass the validator, addresses in the ID's district."""

    def __init__(self, rng: random.Random, fake: Faker, today: date) -> None:
        self.rng = rng
        self.fake = fake
        self.today = today
        self.id_numbers: set[str] = set()

    def area(self) -> str:
        return self.rng.choices(list(AREA_WEIGHTS), weights=list(AREA_WEIGHTS.values()))[0]

    def phone(self) -> str:
        while True:
            phone = self.fake.phone_number()
            if PHONE_RE.fullmatch(phone):
                return phone

    @staticmethod
    def area_of(profile: Profile) -> str:
        return area_code(profile.district)

    def address(self, area: str, *, building: bool = False) -> str:
        district, _postcode, streets = DISTRICTS[area]
        street = self.rng.choice(streets)
        house = f"{self.rng.randint(1, 320)}号"
        if building or self.rng.random() < 0.6:
            floor, room = self.rng.randint(1, 28), self.rng.randint(1, 4)
            house += f"{self.rng.randint(1, 18)}栋{floor}{room:02d}房"
        return f"广东省揭阳市{district}{street}{house}"

    def profile(
        self,
        *,
        age: tuple[int, int],
        area: str | None = None,
        gender: str | None = None,
        surname: str | None = None,
    ) -> Profile:
        area = area or self.area()
        gender = gender or self.rng.choice((Gender.MALE, Gender.FEMALE))
        low, high = age
        birth = self.today - timedelta(days=self.rng.randint(low * 365 + 30, high * 365 + 300))
        while True:
            number = resident_id(birth, male=gender == Gender.MALE, area=area, rng=self.rng)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                break
        male = gender == Gender.MALE
        first = self.fake.first_name_male() if male else self.fake.first_name_female()
        surname = surname or self.fake.last_name()
        district, postcode, _streets = DISTRICTS[area]
        minor = (self.today - birth).days < 16 * 365
        return Profile(
            doc_type=DocType.HOUSEHOLD if minor else DocType.RESIDENT_ID,
            doc_number=number,
            name=surname + first,
            gender=gender,
            birth_date=birth,
            ethnicity="汉族" if self.rng.random() < 0.95 else "畲族",
            phone=self.phone(),
            address=self.address(area),
            postcode=postcode,
            occupation="学生" if minor else self.rng.choice(OCCUPATIONS),
            district=district,
            surname=surname,
        )
