"""Crafted tokens for the verifiers' tests: each fits under the length a verifier reads and
breaks its parsing some other way than a bad signature does."""

from __future__ import annotations

import json

from sscard.core.signing import b64url


def segment(value: object) -> str:
    return b64url(json.dumps(value).encode())


def crafted_tokens(typ: str) -> dict[str, str]:
    """Tokens that must each get the answer “not ours” (malformed or an unknown key), keyed by
    what is wrong with them; ``typ`` is the use the verifier expects, so that only the crafted
    part is wrong."""
    header = {"alg": "EdDSA", "kid": "ts2", "typ": typ}
    # 1,336 characters: under the length cap, deeper than Python's recursion limit
    deep = b64url(b"[" * 1000)
    raw = {
        "deeply nested header": (deep, "e30"),
        "deeply nested payload": (segment(header), deep),
        "deeply nested header object": (b64url(b'{"a":' * 100 + b"[" * 950), "e30"),
        "header is a list": (segment([header]), "e30"),
        "header is a long number": (b64url(b"9" * 1000), "e30"),
        "header is null": (segment(None), "e30"),
        "payload is a string": (segment(header), segment("card")),
        "key id with a NUL": (segment({**header, "kid": "\x00ts2"}), "e30"),
        "key id is a list": (segment({**header, "kid": [[["ts2"]]]}), "e30"),
        "key id is a huge number": (segment({**header, "kid": 10**600}), "e30"),
        "key id is infinite": (b64url(b'{"alg": "EdDSA", "kid": 1e999}'), "e30"),
        "header not UTF-8": (b64url(b'{"kid": "\xff\xfe"}'), "e30"),
        "header in UTF-16": (b64url(json.dumps(header).encode("utf-16")), "e30"),
    }
    tokens = {name: f"{head}.{body}.AAAA" for name, (head, body) in raw.items()}
    tokens["signature not base64url"] = f"{segment(header)}.e30.A*A"
    tokens["unicode digits"] = f"{segment(header)}.e30.\u0663\u0663\u0663\u0663"
    return tokens
