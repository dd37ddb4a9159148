"""Rules read off the source of every module that runs in production (the tests and the test
kit aside), each with a planted example that proves the rule catches what it forbids:

- the cryptographic primitives used are exactly those of the inventory below (no MD5, SHA-1,
  DES, ECB, no ``random`` where a secret is made);
- every call to another system over HTTP names its timeout;
- no form or schema takes a model's fields wholesale (``fields = "__all__"``, ``exclude``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _production_modules() -> Iterator[tuple[str, ast.Module]]:
    for base in ("sscard", "config", "scripts"):
        for path in sorted((ROOT / base).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            parts = set(relative.split("/"))
            if parts & {"tests", "migrations"} or relative.startswith("sscard/testing/"):
                continue
            if relative in ("config/test_settings.py", "sscard/conftest.py"):
                continue
            yield relative, ast.parse(path.read_text(), relative)


# ---------------------------------------------------------------------------------------------
# Cryptography inventory: every primitive the code names, and what it is for.

INVENTORY: dict[str, str] = {
    "cryptography.AESGCM": "personal data at rest: AES-256-GCM, a key id in each value "
    "(sscard/core/crypto.py; keys from SSCARD_DATA_KEYS, the first encrypts, all decrypt)",
    "hmac.new": "keyed lookup hashes of ID and phone numbers (HMAC-SHA-256, SSCARD_INDEX_KEY); "
    "partner request signatures (HMAC-SHA-256 over the canonical request); the simulators",
    "hmac.compare_digest": "constant-time comparison of signatures, nonces and secrets",
    "secrets.compare_digest": "constant-time comparison of OAuth state, PKCE and SMS codes",
    "hashlib.sha256": "inside the HMACs above; PKCE S256 challenges; content digests that "
    "recognise an uploaded file sent twice; the simulated IdP's key id; the digest of each part "
    "of a backup (sscard/backups)",
    "secrets.token_urlsafe": "OAuth state, nonce and PKCE verifier; generated keys",
    "secrets.token_hex": "unguessable identifiers",
    "secrets.token_bytes": "generated data keys (scripts/make_env.py)",
    "secrets.choice": "card numbers, the benchmark's passwords",
    "secrets.randbelow": "receipt numbers",
    "cryptography.InvalidTag": "a stored file whose AES-256-GCM tag fails (changed, cut, or no "
    "listed key opens it: sscard/core/filecrypt.py)",
    "cryptography.hashes": "key derivation: each stored file's key, the simulated IdP's",
    "hashes.SHA256": "HKDF-SHA-256: each stored file's key from the data key and the file's "
    "salt; the simulated IdP's signing key",
    "cryptography.HKDF": "each stored file's key (sscard/core/filecrypt.py); the simulated IdP "
    "derives its signing key from SECRET_KEY",
    "cryptography.ec": "the simulated IdP's ES256 signing key",
    "ec.SECP256R1": "P-256, for ES256 ID tokens (the simulated IdP)",
    "ec.derive_private_key": "the simulated IdP's signing key",
    "ec.EllipticCurvePrivateKey": "a type annotation",
    "cryptography.Ed25519PrivateKey": "the service's public signatures: the 电子社保卡's QR "
    "code and the receipts' verification codes (sscard/core/signing.py, SSCARD_SIGNING_KEYS)",
    "cryptography.Ed25519PublicKey": "verifying them, and the keys published as the JWKS",
    "cryptography.InvalidSignature": "a code whose Ed25519 signature fails",
    "cryptography.serialization": "a new signing key's raw bytes (sscard/core/signing.py)",
}
# Modules that draw synthetic data (sample ID numbers, the demo, the benchmark) with a seeded
# ``random.Random``: reproducible, never a secret. Anywhere else ``random`` is refused.
SEEDED_RANDOM = {
    "sscard/core/sample_ids.py",
    "sscard/employers/samples.py",
    "sscard/bench/generate.py",
    "sscard/demo/seed/people.py",
    "sscard/demo/seed/seeder.py",
    "sscard/demo/seed/steps.py",
    # the partner simulator's made-up delays and failures
    "sscard/partners/simulator.py",
    "sscard/partners/management/commands/simulate_partners.py",
}
WATCHED = {"hashlib", "hmac", "secrets", "hashes", "algorithms", "modes", "ec", "padding"}
FORBIDDEN = {"md4", "md5", "sha", "sha1", "des", "tripledes", "arc4", "rc4", "blowfish", "ecb"}


def _crypto_uses(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            root = node.module.split(".")[0]
            if root == "cryptography":
                found |= {f"cryptography.{a.name}" for a in node.names}
            elif root in {"hashlib", "hmac", "secrets", "random", "Crypto", "gmssl"}:
                found |= {f"{root}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in {"random", "Crypto", "gmssl", "pyDes"}:
                    found.add(alias.name)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in WATCHED
        ):
            found.add(f"{node.value.id}.{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in {"hashlib", "hmac"}
        ):
            # hashlib.new("md5"), hmac.new(key, msg, "sha1"): algorithms named by string
            for arg in node.args + [k.value for k in node.keywords]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(f"{node.func.value.id}:{arg.value.lower()}")
    return found


def _inventory_problems(modules) -> list[str]:
    problems = []
    for name, tree in modules:
        uses = _crypto_uses(tree)
        if "random" in uses or any(u.startswith("random.") for u in uses):
            if name not in SEEDED_RANDOM:
                problems.append(f"{name}: random")
            uses = {u for u in uses if u != "random" and not u.startswith("random.")}
        for use in sorted(uses):
            if use.lower().split(".")[-1].split(":")[-1] in FORBIDDEN:
                problems.append(f"{name}: {use} (forbidden)")
            elif use not in INVENTORY:
                problems.append(f"{name}: {use} (not in the inventory)")
    return problems


def test_the_code_uses_only_the_cryptography_of_the_inventory():
    modules = list(_production_modules())
    assert len(modules) > 150
    assert _inventory_problems(modules) == []
    used = set().union(*(_crypto_uses(tree) for _name, tree in modules))
    assert {"cryptography.AESGCM", "hmac.new", "hashlib.sha256"} <= used


def test_the_inventory_check_catches_weak_primitives_and_random_secrets():
    planted = """
import hashlib, random
from cryptography.hazmat.primitives.ciphers import algorithms, modes
digest = hashlib.md5(b"x").hexdigest()
other = hashlib.new("sha1")
cipher = (algorithms.TripleDES, modes.ECB)
token = random.choice("abc")
"""
    problems = _inventory_problems([("sscard/planted.py", ast.parse(planted))])
    assert problems == [
        "sscard/planted.py: random",
        "sscard/planted.py: algorithms.TripleDES (forbidden)",
        "sscard/planted.py: cryptography.algorithms (not in the inventory)",
        "sscard/planted.py: cryptography.modes (not in the inventory)",
        "sscard/planted.py: hashlib.md5 (forbidden)",
        "sscard/planted.py: hashlib.new (not in the inventory)",
        "sscard/planted.py: hashlib:sha1 (forbidden)",
        "sscard/planted.py: modes.ECB (forbidden)",
    ]


def test_the_face_login_accepts_only_asymmetric_signatures():
    """An ID token signed with ``none`` or with a shared secret (HS256, which a provider's
    public key would verify as a MAC key) is never accepted."""
    from django.conf import settings

    algorithms = set(settings.SSCARD_OIDC_ALGORITHMS)
    assert algorithms
    assert all(a[:2] in {"RS", "ES", "PS"} for a in algorithms), algorithms


# ---------------------------------------------------------------------------------------------
# Timeouts on every call to another system

HTTP_CALLS = {
    ("httpx", "get"),
    ("httpx", "post"),
    ("httpx", "put"),
    ("httpx", "patch"),
    ("httpx", "delete"),
    ("httpx", "request"),
    ("httpx", "stream"),
    ("httpx", "Client"),
    ("httpx", "AsyncClient"),
    ("requests", "get"),
    ("requests", "post"),
    ("requests", "request"),
    ("requests", "Session"),
    ("request", "urlopen"),  # urllib.request.urlopen
    ("urllib", "urlopen"),
    ("socket", "create_connection"),
    ("smtplib", "SMTP"),
}


def _call_target(node: ast.Call) -> tuple[str, str] | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        owner = func.value
        if isinstance(owner, ast.Attribute):  # urllib.request.urlopen
            return owner.attr, func.attr
        if isinstance(owner, ast.Name):
            return owner.id, func.attr
    if isinstance(func, ast.Name):
        return ("", func.id)
    return None


def _timeout_problems(modules) -> tuple[list[str], int]:
    problems, calls = [], 0
    for name, tree in modules:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            target = _call_target(node)
            keywords = {k.arg for k in node.keywords}
            if target in HTTP_CALLS or target == ("", "urlopen"):
                calls += 1
                if "timeout" not in keywords:
                    problems.append(f"{name}:{node.lineno} {'.'.join(target)}")
            elif target == ("", "http_client"):  # sscard.core.http: the timeout comes first
                calls += 1
                if not node.args and "timeout" not in keywords:
                    problems.append(f"{name}:{node.lineno} http_client")
    return problems, calls


def test_every_call_to_another_system_names_its_timeout():
    problems, calls = _timeout_problems(_production_modules())
    assert problems == []
    assert calls >= 6  # the IdP, WeChat, the SMS gateway, the notification channel, ...


def test_the_timeout_check_catches_a_call_without_one():
    planted = """
import httpx, urllib.request
httpx.post("https://sms.example/send", json={})
urllib.request.urlopen("https://x.example/")
with httpx.Client(timeout=5) as c:
    pass
"""
    problems, calls = _timeout_problems([("sscard/planted.py", ast.parse(planted))])
    assert problems == ["sscard/planted.py:3 httpx.post", "sscard/planted.py:4 request.urlopen"]
    assert calls == 3


# ---------------------------------------------------------------------------------------------
# No model's fields taken wholesale from a request


def _wholesale_problems(modules) -> list[str]:
    problems = []
    for name, tree in modules:
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef) or node.name not in {"Meta", "Config"}:
                continue
            for statement in node.body:
                if not isinstance(statement, ast.Assign):
                    continue
                for target in statement.targets:
                    if not isinstance(target, ast.Name):
                        continue
                    value = statement.value
                    if (
                        target.id in {"fields", "model_fields"}
                        and isinstance(value, ast.Constant)
                        and value.value == "__all__"
                    ):
                        problems.append(f'{name}:{statement.lineno} {target.id} = "__all__"')
                    if target.id in {"exclude", "model_exclude"}:
                        problems.append(f"{name}:{statement.lineno} {target.id} (a deny-list)")
    return problems


def test_no_form_or_schema_takes_every_field_of_a_model():
    assert _wholesale_problems(_production_modules()) == []


def test_the_wholesale_check_catches_all_fields_and_deny_lists():
    planted = """
class ProfileForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = "__all__"
class CardSchema(ModelSchema):
    class Meta:
        model = Card
        exclude = ["id"]
"""
    problems = _wholesale_problems([("sscard/planted.py", ast.parse(planted))])
    assert problems == [
        'sscard/planted.py:5 fields = "__all__"',
        "sscard/planted.py:9 exclude (a deny-list)",
    ]
