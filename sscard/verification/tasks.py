from __future__ import annotations

from sscard.core.errors import DomainError
from sscard.core.tasks import task
from sscard.verification.models import Challenge
from sscard.verification.services import challenge_send


@task()
def send_challenge_task(challenge_id: str) -> bool:
    """Text a code in the background (a registration, whose page must take the same time
    whoever the number names). A code already made, or a challenge gone, is left alone."""
    challenge = Challenge.objects.filter(pk=challenge_id, code_hash="", used_at=None).first()
    if challenge is None:
        return False
    try:
        challenge_send(challenge)
    except DomainError:
        return False  # void already; the person asks for a new code
    return not challenge.is_decoy
