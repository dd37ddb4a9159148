"""``manage.py partner_credentials``: issue (or rotate) a partner system's credentials and show
the secret once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sscard.partners.models import Partner
from sscard.partners.services import partner_create, partner_rotate_secret
from sscard.regions.models import Bank


class Command(BaseCommand):
    help = "Issue credentials for a bank or card factory system, or rotate a secret."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bank", help="bank code the partner works for")
        parser.add_argument("--kind", choices=Partner.Kind.values, default=Partner.Kind.BANK)
        parser.add_argument("--name", default="")
        parser.add_argument("--rotate", metavar="KEY_ID", help="new secret for this key id")

    def handle(self, *args: Any, **o: Any) -> None:
        if o["rotate"]:
            partner = Partner.objects.filter(key_id=o["rotate"]).first()
            if partner is None:
                raise CommandError("no partner with that key id")
            creds = partner_rotate_secret(partner=partner, actor=None)
        else:
            bank = Bank.objects.filter(code=o["bank"] or "").first()
            if bank is None:
                raise CommandError("--bank must name a bank code")
            name = o["name"] or f"{bank.name}{Partner.Kind(o['kind']).label}"
            creds = partner_create(name=name, kind=o["kind"], bank=bank, actor=None)
        self.stdout.write(f"key id: {creds.partner.key_id}")
        self.stdout.write(f"secret: {creds.secret}  (shown once: hand it over securely)")
