"""Who is asking, and how sure we are of it (DOMAIN.md §2). The levels and the actions live
in :mod:`sscard.core.trust`; the requester the services are handed lives here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sscard.core.trust import Action, TrustLevel, default_action_levels

if TYPE_CHECKING:
    from sscard.accounts.models import User

__all__ = ["Action", "Requester", "TrustLevel", "default_action_levels"]


@dataclass(frozen=True)
class Requester:
    """A citizen or employer acting through the portal or the app API — or, with
    ``counter=True``, a member of staff serving a person who came to the counter (窗口代办):
    the staff member checked the person's identity document in person and is recorded as the
    one who did the item."""

    user: User
    trust: TrustLevel
    counter: bool = False
