"""``manage.py simulate_partners``: play the cooperating banks and their card factories
against the partner API over HTTP (see :mod:`sscard.partners.simulator`)."""

from __future__ import annotations

import random
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sscard.partners.models import Partner
from sscard.partners.services import partner_create
from sscard.partners.simulator import PartnerClient, Simulator, run
from sscard.regions.models import Bank


def local_partners(bank: Bank) -> tuple[Partner, Partner]:
    """This deployment's simulated bank and factory clients for ``bank``, created the first
    time (demo and test deployments only)."""
    pair = []
    for kind, suffix in ((Partner.Kind.BANK, "接口"), (Partner.Kind.FACTORY, "制卡厂（模拟）")):
        partner = Partner.objects.filter(bank=bank, kind=kind, active=True).first()
        if partner is None:
            partner = partner_create(
                name=f"{bank.name}{suffix}", kind=kind, bank=bank, actor=None
            ).partner
        pair.append(partner)
    return pair[0], pair[1]


class Command(BaseCommand):
    help = "Play the banks and card factories against the partner API over HTTP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the sscard server")
        parser.add_argument("--delay", type=float, default=5.0, help="seconds between rounds")
        parser.add_argument(
            "--failure-share",
            type=float,
            default=0.1,
            help="share of first attempts that end in 制卡失败 (0–1)",
        )
        parser.add_argument("--until-idle", action="store_true", help="stop when nothing moves")
        parser.add_argument("--max-seconds", type=float, default=None)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--bank", action="append", default=[], help="bank code (repeatable)")
        parser.add_argument("--bank-key", default="")
        parser.add_argument("--bank-secret", default="")
        parser.add_argument("--factory-key", default="")
        parser.add_argument("--factory-secret", default="")

    def handle(self, *args: Any, **o: Any) -> None:
        share = o["failure_share"]
        if not 0 <= share <= 1:
            raise CommandError("--failure-share must be between 0 and 1")
        rng = random.Random(o["seed"])  # noqa: S311 - simulated data, not security
        pairs: list[tuple[PartnerClient, PartnerClient]] = []
        if o["bank_key"]:
            if not (o["bank_secret"] and o["factory_key"] and o["factory_secret"]):
                raise CommandError("give --bank-key/--bank-secret/--factory-key/--factory-secret")
            pairs.append(
                (
                    PartnerClient(o["url"], o["bank_key"], o["bank_secret"]),
                    PartnerClient(o["url"], o["factory_key"], o["factory_secret"]),
                )
            )
        else:
            if settings.SSCARD_ENV == "production":
                raise CommandError("local simulated partners are for demo and test deployments")
            banks = Bank.objects.filter(active=True)
            if o["bank"]:
                banks = banks.filter(code__in=o["bank"])
            for bank in banks:
                bank_partner, factory_partner = local_partners(bank)
                pairs.append(
                    (
                        PartnerClient(o["url"], bank_partner.key_id, bank_partner.secret),
                        PartnerClient(o["url"], factory_partner.key_id, factory_partner.secret),
                    )
                )
        if not pairs:
            raise CommandError("no bank to simulate")
        simulators = [
            Simulator(bank=b, factory=f, failure_share=share, rng=rng, say=self._say)
            for b, f in pairs
        ]
        self.stdout.write(
            f"simulate_partners: {len(simulators)} bank(s) against {o['url']}, "
            f"a round every {o['delay']} s, failure share {share}"
        )
        total = run(
            simulators,
            delay=o["delay"],
            until_idle=o["until_idle"],
            max_seconds=o["max_seconds"],
        )
        self.stdout.write(f"simulate_partners: {total} report(s) sent")

    def _say(self, message: str) -> None:
        self.stdout.write(message)
