"""选择社保卡: the cards or people an item may be done for by this requester, the one a URL
names (only if it is the requester's own), and the catalogue's eligibility check for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from sscard.accounts.models import Guardianship, Person, User
from sscard.accounts.services import guardianship_active
from sscard.accounts.trust import Requester
from sscard.applications.catalogue import Item
from sscard.applications.constants import CARD_ITEMS, ItemCode
from sscard.applications.selectors import cards_for_requester
from sscard.cards.constants import CardStatus
from sscard.cards.models import Card
from sscard.cards.selectors import card_effective_status
from sscard.core import memo
from sscard.core.errors import NotFound
from sscard.regions.selectors import region_settings

NEW = "new"  # the 申领 target "a child not yet on record"


@dataclass(frozen=True)
class Target:
    """A card or a person an item may be done for, as 选择社保卡 lists it."""

    key: str  # "card-<pk>", "person-<pk>" or "new": the URL segment
    title: str
    detail: str = ""
    card: Card | None = None
    person: Person | None = None

    @property
    def subject(self) -> Person | None:
        return self.card.person if self.card is not None else self.person

    @property
    def the_card(self) -> Card:
        """The card of a card target: the card items are offered card targets only."""
        if self.card is None:
            raise NotFound("请先选择要办理的社会保障卡")
        return self.card

    @property
    def the_person(self) -> Person:
        """The person of a person target: 信息变更 and 进度查询 are offered person targets only."""
        if self.person is None:
            raise NotFound("请先选择要办理的人员")
        return self.person


def _card_target(card: Card, own: Person | None) -> Target:
    status = card_effective_status(card)
    label = "已注销" if status == CardStatus.CANCELLED else CardStatus(status).label
    whose = "本人" if own is not None and card.person_id == own.pk else card.person.masked_name
    return Target(
        key=f"card-{card.pk}",
        title=f"{whose}的社会保障卡",
        detail=f"卡号 {card.masked_number} · {card.bank.name} · {label}",
        card=card,
    )


def _person_target(person: Person, own: Person | None) -> Target:
    if own is not None and person.pk == own.pk:
        return Target(
            key=f"person-{person.pk}", title="本人", detail=person.masked_name, person=person
        )
    return Target(
        key=f"person-{person.pk}",
        title=f"{person.masked_name}（被监护人）",
        detail=person.masked_doc_number,
        person=person,
    )


def _people_in_care(user: User) -> list[Person]:
    """The user and the minors whose guardianship has been confirmed."""
    if user.person is None:
        return []
    region = region_settings()
    today = timezone.localdate()
    people = [user.person]
    links = Guardianship.objects.filter(guardian=user.person, active=True).select_related("ward")
    people += [link.ward for link in links if link.ward.age(today) < region.guardian_age]
    return people


def _new_target(user: User) -> Target:
    label = "为本单位职工申领" if user.role == User.Role.EMPLOYER else "为未满16周岁的子女申领"
    return Target(key=NEW, title=label, detail="填写申领人的证件信息")


def _applied_for(user: User) -> QuerySet[Person]:
    """Whoever the account applied for a card for: 进度查询 follows them too, a guardianship
    still under review or an employee included."""
    return Person.objects.filter(applications__applicant=user, applications__item__in=CARD_ITEMS)


def targets(item: Item, requester: Requester) -> list[Target]:
    user = requester.user
    own = user.person
    if item.needs_card:
        cards = cards_for_requester(requester, include_cancelled=item.lists_cancelled_cards)
        return [_card_target(card, own) for card in cards]
    people = _people_in_care(user)
    if item.code == ItemCode.PROGRESS:
        people += [person for person in _applied_for(user).distinct() if person not in people]
    found = [_person_target(person, own) for person in people]
    if item.code == ItemCode.APPLY:
        found.append(_new_target(user))
    return found


def _person_of(item: Item, user: User, pk: int) -> Person | None:
    """The person ``targets`` would list under this pk, asked of that one person: the user
    (no query), a minor in their confirmed care (one), or for 进度查询 someone they applied
    for (one more, only when the person is neither)."""
    own = user.person
    if own is not None and own.pk == pk:
        return own
    if own is not None:
        link = (
            Guardianship.objects.filter(guardian=own, ward_id=pk, active=True)
            .select_related("ward")
            .first()
        )
        if link is not None:
            # the domain's rule asks the same of this request (the item's own check)
            memo.remember(guardianship_active, True, own.pk, pk)
            if link.ward.age(timezone.localdate()) < region_settings().guardian_age:
                return link.ward
    if item.code == ItemCode.PROGRESS:
        return _applied_for(user).filter(pk=pk).first()
    return None


def _pk_in(key: str, prefix: str) -> int | None:
    """The pk of a "<prefix>-<pk>" key exactly as the lists write it ("card-7", not "card-07")."""
    head, _, raw = key.partition("-")
    if head != prefix or not (raw.isascii() and raw.isdigit()) or raw != str(int(raw)):
        return None
    return int(raw)


def target_of(item: Item, requester: Requester, key: str) -> Target | None:
    """The target named in a URL, only if it is one of the requester's own (else None → 404),
    by the same rules that list the targets — asked of that one card or person, not all."""
    user = requester.user
    if item.needs_card:
        card_pk = _pk_in(key, "card")
        if card_pk is None:
            return None
        found = cards_for_requester(
            requester, card_id=card_pk, include_cancelled=item.lists_cancelled_cards
        )
        return _card_target(found[0], user.person) if found else None
    if key == NEW:
        return _new_target(user) if item.code == ItemCode.APPLY else None
    person_pk = _pk_in(key, "person")
    person = _person_of(item, user, person_pk) if person_pk is not None else None
    return _person_target(person, user.person) if person is not None else None


def check_eligibility(item: Item, requester: Requester, target: Target) -> None:
    """The catalogue's check for the item: raises DomainError explaining a block."""
    check: Callable[..., None] = import_string(item.eligibility)
    if item.needs_card:
        check(requester=requester, card=target.card)
    else:
        check(requester=requester, subject=target.person)
