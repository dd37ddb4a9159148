"""The static files' storage in production: WhiteNoise's (each name carrying its content's
hash, a compressed copy beside it), with each file's address worked out once a process. A page
links the same stylesheet and scripts on every request, and the manifest they are looked up in
is fixed from the moment the process reads it to its end (``collectstatic`` writes a new one for
the next start); five ``{% static %}`` links were a twentieth of a signed-in page's CPU."""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._addresses: dict[str, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if force or name is None:
            return super().url(name, force)
        address = self._addresses.get(name)
        if address is None:  # a name the manifest lacks raises, and is not kept
            address = self._addresses[name] = super().url(name)
        return address

    def post_process(self, *args: Any, **kwargs: Any) -> Any:
        self._addresses.clear()  # collectstatic: the names are about to change
        yield from super().post_process(*args, **kwargs)
        self._addresses.clear()
