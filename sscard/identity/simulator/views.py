"""The simulated real-name provider: a small OpenID Connect issuer (discovery, authorize,
token, JWKS) whose screens walk the guide's 人脸识别登录 — 姓名 + 身份证号码 + consent →
“开始人脸识别验证” → a selfie with exactly one face → “返回揭阳智慧人社”.

Mounted at ``/idp-sim/`` only when ``SSCARD_IDP_SIMULATOR`` is on; every view also answers
404 when it is off.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sscard.core.errors import DomainError
from sscard.core.formfields import DocumentNumberField
from sscard.core.masking import mask_id_number, mask_name
from sscard.identity.simulator import flow, keys
from sscard.identity.simulator.faces import FaceImageError, MemoryOnlyUploadHandler, check_selfie
from sscard.identity.simulator.services import (
    AuthorizationRequest,
    GrantError,
    claimed_identity,
    grant_issue,
    grant_redeem,
)

logger = logging.getLogger("sscard.identity.simulator")

View = Callable[..., HttpResponse]
_CHALLENGE_RE = re.compile(r"[A-Za-z0-9_-]{43,128}", re.ASCII)


def simulator_only(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.SSCARD_IDP_SIMULATOR:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


# --- the OpenID Connect endpoints ----------------------------------------------------------


@require_GET
@simulator_only
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "idp_sim/index.html")


@require_GET
@simulator_only
def discovery(request: HttpRequest) -> JsonResponse:
    issuer = keys.issuer_for(request)
    return JsonResponse(
        {
            "issuer": issuer,
            "authorization_endpoint": request.build_absolute_uri(reverse("idp_sim:authorize")),
            "token_endpoint": request.build_absolute_uri(reverse("idp_sim:token")),
            "jwks_uri": request.build_absolute_uri(reverse("idp_sim:jwks")),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": [keys.ALGORITHM],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
            ],
            "scopes_supported": ["openid", "profile"],
            "claims_supported": ["sub", keys.NAME_CLAIM, keys.ID_NUMBER_CLAIM, "acr", "amr"],
            "acr_values_supported": [keys.ACR],
        }
    )


@require_GET
@simulator_only
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"keys": [keys.public_jwk()]})


def _redirect_uri_ok(request: HttpRequest, redirect_uri: str) -> bool:
    """The one registered client's callback, on the host this simulator answers on."""
    parts = urlsplit(redirect_uri)
    return (
        parts.scheme in {"http", "https"}
        and parts.netloc == request.get_host()
        and parts.path == reverse("identity:callback")
        and not parts.query
        and not parts.fragment
    )


def _back_to_client(redirect_uri: str, **params: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(redirect_uri + "?" + urlencode(params))


@require_GET
@never_cache
@simulator_only
def authorize(request: HttpRequest) -> HttpResponse:
    """Check the authorization request, keep it in the flow cookie and show the first screen.
    A request naming an unknown client or callback is never redirected (RFC 6749 §4.1.2.1)."""
    q = request.GET
    client_id, redirect_uri, state = (
        q.get("client_id", ""),
        q.get("redirect_uri", ""),
        q.get("state", ""),
    )
    if client_id != keys.CLIENT_ID or not _redirect_uri_ok(request, redirect_uri):
        return _error(request, "登录请求来自未登记的应用，已拒绝。", status=400)
    problem = ""
    if q.get("response_type") != "code":
        problem = "response_type must be code"
    elif "openid" not in q.get("scope", "").split():
        problem = "scope must include openid"
    elif q.get("code_challenge_method") != "S256" or not _CHALLENGE_RE.fullmatch(
        q.get("code_challenge", "")
    ):
        problem = "PKCE with S256 is required"
    elif not state or not q.get("nonce") or len(state) > 255 or len(q["nonce"]) > 255:
        problem = "state and nonce are required"
    if problem:
        params = {"error": "invalid_request", "error_description": problem}
        return _back_to_client(redirect_uri, **params, **({"state": state} if state else {}))
    started = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "nonce": q["nonce"],
        "code_challenge": q["code_challenge"],
    }
    known = flow.remembered(request)
    response = HttpResponseRedirect(
        reverse("idp_sim:face") if known else reverse("idp_sim:identity")
    )
    flow.write_flow(response, flow.with_claimed(started, known))
    return response


class IdentityForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=60, required=False)
    id_number = DocumentNumberField(label="身份证号码", length=18, required=False)
    consent = forms.BooleanField(
        label="本人已阅读并同意《实名认证服务协议》和《个人信息保护政策》，同意本服务核验本人姓名、身份证号码及人脸信息",
        required=False,
    )


class FaceForm(forms.Form):
    consent = forms.BooleanField(
        label="本人同意采集本次人脸图像用于身份核验，核验后立即删除、不作保存",
        required=False,
    )
    selfie = forms.FileField(label="拍摄本人正脸照片", required=False)


def _require_flow(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        current = flow.read_flow(request)
        if current is None:
            return _error(request, "认证请求已失效，请返回揭阳智慧人社重新登录。", status=400)
        return view(request, current, *args, **kwargs)

    return wrapped


def _signed_in_person(request: HttpRequest) -> dict[str, str]:
    """The portal's signed-in citizen, as a real provider knows the user it is asked about
    (the simulator shares the portal's session; a real provider has its own login)."""
    person = getattr(request.user, "person", None) if request.user.is_authenticated else None
    if person is None or person.doc_type not in ("resident_id", "household"):
        return {}
    return {"name": person.name, "id_number": person.doc_number}


@require_http_methods(["GET", "POST"])
@never_cache
@simulator_only
@_require_flow
def identity(request: HttpRequest, current: dict[str, Any]) -> HttpResponse:
    """首次登录: 姓名、身份证号码 and the consent tick, then “开始人脸识别验证”. A person
    already signed in to the portal (stepping up) finds their own name and number filled in."""
    form = IdentityForm(
        request.POST if request.method == "POST" else None, initial=_signed_in_person(request)
    )
    if request.method == "POST" and form.is_valid():
        claimed = None
        try:
            claimed = claimed_identity(
                name=form.cleaned_data["name"], id_number=form.cleaned_data["id_number"]
            )
        except DomainError as exc:
            for name, message in exc.errors.items():
                form.add_error(name, message)
        if not form.cleaned_data["consent"]:
            form.add_error("consent", "请阅读并勾选同意后再开始人脸识别验证")
        if claimed is not None and not form.errors:
            response = HttpResponseRedirect(reverse("idp_sim:face"))
            flow.write_flow(response, flow.with_claimed(current, claimed))
            return response
    return render(request, "idp_sim/identity.html", {"form": form})


@require_http_methods(["GET", "POST"])
@never_cache
@csrf_exempt  # checked in _face_post, once the upload handlers are replaced
@simulator_only
@_require_flow
def face(request: HttpRequest, current: dict[str, Any]) -> HttpResponse:
    """人脸识别: a selfie from the phone's front camera or a file, with exactly one face."""
    claimed = flow.claimed_in(current)
    if claimed is None:
        return HttpResponseRedirect(reverse("idp_sim:identity"))
    if request.method == "POST":
        handler = MemoryOnlyUploadHandler(request)
        request.upload_handlers = [handler]
        return _face_post(request, current, claimed, handler)
    return _face_page(request, FaceForm(), claimed)


def _face_page(request: HttpRequest, form: FaceForm, claimed: flow.Claimed) -> HttpResponse:
    context = {
        "form": form,
        "masked_name": mask_name(claimed.name),
        "masked_id_number": mask_id_number(claimed.id_number),
    }
    return render(request, "idp_sim/face.html", context)


@csrf_protect
def _face_post(
    request: HttpRequest,
    current: dict[str, Any],
    claimed: flow.Claimed,
    handler: MemoryOnlyUploadHandler,
) -> HttpResponse:
    form = FaceForm(request.POST, request.FILES)
    form.is_valid()
    selfie = request.FILES.get("selfie")
    try:
        if not form.cleaned_data.get("consent"):
            form.add_error("consent", "请勾选同意后再进行人脸识别")
        if handler.too_large:
            raise FaceImageError("照片不能超过10MB，请重新拍摄", code="too_large")
        if selfie is None:
            raise FaceImageError("请拍摄或选择一张本人正脸照片", code="missing")
        if not form.errors:
            check_selfie(selfie.read())
    except FaceImageError as exc:
        logger.info("idp_sim.face_refused reason=%s", exc.code)
        form.add_error("selfie", exc.message)
    finally:
        if selfie is not None:
            selfie.close()  # the picture goes with the request: it is never stored
    if form.errors:
        return _face_page(request, form, claimed)
    code = grant_issue(
        request=AuthorizationRequest(
            client_id=current["client_id"],
            redirect_uri=current["redirect_uri"],
            state=current["state"],
            nonce=current["nonce"],
            code_challenge=current["code_challenge"],
        ),
        claimed=claimed,
        issuer=keys.issuer_for(request),
    )
    back = current["redirect_uri"] + "?" + urlencode({"code": code, "state": current["state"]})
    response = render(request, "idp_sim/done.html", {"return_url": back})
    flow.end_flow(response)
    flow.remember(response, claimed)
    return response


@require_POST
@never_cache
@simulator_only
@_require_flow
def forget(request: HttpRequest, current: dict[str, Any]) -> HttpResponse:
    """“不是本人？” — forget the remembered identity and enter another one."""
    response = HttpResponseRedirect(reverse("idp_sim:identity"))
    flow.forget(response)
    flow.write_flow(response, flow.with_claimed(current, None))
    return response


@require_POST
@never_cache
@simulator_only
@_require_flow
def cancel(request: HttpRequest, current: dict[str, Any]) -> HttpResponse:
    """“取消” — back to the portal with ``access_denied``."""
    response = _back_to_client(
        current["redirect_uri"], error="access_denied", state=current["state"]
    )
    flow.end_flow(response)
    return response


def _client_credentials(request: HttpRequest) -> tuple[str, str]:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith("Basic "):
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


def _token_error(error: str, description: str = "", status: int = 400) -> JsonResponse:
    body = {"error": error} | ({"error_description": description} if description else {})
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="idp-sim"'
    return response


@csrf_exempt  # a machine endpoint: clients authenticate with their secret, not a cookie
@require_POST
@simulator_only
def token(request: HttpRequest) -> JsonResponse:
    client_id, secret = _client_credentials(request)
    if client_id != keys.CLIENT_ID or not keys.secret_matches(secret):
        return _token_error("invalid_client", status=401)
    if request.POST.get("grant_type") != "authorization_code":
        return _token_error("unsupported_grant_type")
    try:
        claims = grant_redeem(
            code=request.POST.get("code", ""),
            client_id=client_id,
            redirect_uri=request.POST.get("redirect_uri", ""),
            code_verifier=request.POST.get("code_verifier", ""),
        )
    except GrantError as exc:
        logger.info("idp_sim.token_refused reason=%s", exc.description)
        return _token_error(exc.error, exc.description)
    response = JsonResponse(
        {
            "access_token": secrets.token_urlsafe(32),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": keys.sign(claims),
        }
    )
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def _error(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(request, "idp_sim/error.html", {"message": message}, status=status)
