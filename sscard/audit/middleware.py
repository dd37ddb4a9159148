from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from sscard.audit.context import Source, current_source
from sscard.core.errorpages import REQUEST_ID_KEY
from sscard.core.net import client_ip


class RequestContextMiddleware:
    """Binds the caller's address and a request id for audit records written during the
    request, and returns the id in ``X-Request-ID`` (and on the 500 page) so a support call
    can quote it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # the request log's id (sscard.core.middleware), so that the log line, the audit
        # records and the 500 page name one request alike; a fresh one without that middleware
        request_id = str(request.META.get(REQUEST_ID_KEY) or uuid.uuid4().hex)
        # for the 500 page, which shows it (sscard.core.errorpages reads no layer above core)
        request.META[REQUEST_ID_KEY] = request_id
        channel = "api" if request.path.startswith(("/api/", "/partner/api/")) else "web"
        token = current_source.set(
            Source(address=client_ip(request), request_id=request_id, channel=channel)
        )
        try:
            response = self.get_response(request)
        finally:
            current_source.reset(token)
        response["X-Request-ID"] = request_id
        return response
