"""Who is asking, and how sure we are of it (DOMAIN.md §2)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sscard.accounts.models import User


class TrustLevel(IntEnum):
    """L3: password account whose name and ID number were checked at registration.
    L4: 实人+实名+实证 — a face-verified identity from the real-name provider."""

    L1 = 1
    L2 = 2
    L3 = 3
    L4 = 4


@dataclass(frozen=True)
class Requester:
    """A citizen or employer acting through the portal or the app API — or, with
    ``counter=True``, a member of staff serving a person who came to the counter (窗口代办):
    the staff member checked the person's identity document in person and is recorded as the
    one who did the item."""

    user: User
    trust: TrustLevel
    counter: bool = False
