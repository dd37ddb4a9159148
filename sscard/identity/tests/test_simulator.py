"""The simulated real-name provider: its OpenID Connect endpoints, the guide's screens and
their refusals, and the selfie that is checked and never kept."""

from __future__ import annotations

import base64
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import time_machine
from django.core.checks import run_checks
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.test import override_settings
from django.utils import timezone

from sscard.identity.models import SimulatorGrant
from sscard.identity.oidc import pkce_challenge
from sscard.identity.simulator import faces as detector
from sscard.identity.simulator import keys
from sscard.testing import faces
from sscard.testing.face_login import page_errors
from sscard.testing.factories import PersonFactory
from sscard.testing.ids import resident_id

pytestmark = pytest.mark.django_db

NAME = "黄丽"
ID_NUMBER = resident_id(date(1995, 7, 21), male=False, serial=33)
VERIFIER = "v" * 64
CALLBACK = "http://testserver/login/face/callback/"


def _authorize_params(**changes):
    params = {
        "response_type": "code",
        "client_id": keys.CLIENT_ID,
        "redirect_uri": CALLBACK,
        "scope": "openid profile",
        "state": "s" * 20,
        "nonce": "n" * 20,
        "code_challenge": pkce_challenge(VERIFIER),
        "code_challenge_method": "S256",
    }
    return {k: v for k, v in (params | changes).items() if v is not None}


def _basic(secret: str | None = None) -> str:
    pair = f"{keys.CLIENT_ID}:{secret or keys.client_secret()}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def _code(client, name=NAME, id_number=ID_NUMBER) -> str:
    client.get("/idp-sim/authorize", _authorize_params())
    client.post("/idp-sim/identity/", {"name": name, "id_number": id_number, "consent": "on"})
    done = client.post("/idp-sim/face/", {"consent": "on", "selfie": _upload(faces.one_face())})
    return parse_qs(urlsplit(done.context["return_url"]).query)["code"][0]


def _upload(data: bytes, name: str = "selfie.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _token(client, code: str, *, verifier=VERIFIER, secret=None, redirect_uri=CALLBACK):
    return client.post(
        "/idp-sim/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
        HTTP_AUTHORIZATION=_basic(secret),
    )


# --- the OpenID Connect endpoints ----------------------------------------------------------


def test_discovery_names_the_issuer_and_its_endpoints(client):
    doc = client.get("/idp-sim/.well-known/openid-configuration").json()
    assert doc["issuer"] == "http://testserver/idp-sim"
    assert doc["token_endpoint"] == "http://testserver/idp-sim/token"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["id_token_signing_alg_values_supported"] == ["ES256"]


def test_the_id_token_carries_the_verified_identity_signed_by_the_published_key(client):
    response = _token(client, _code(client))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    key = jwt.PyJWKSet.from_dict(client.get("/idp-sim/jwks").json()).keys[0]
    claims = jwt.decode(
        response.json()["id_token"], key.key, algorithms=["ES256"], audience=keys.CLIENT_ID
    )
    assert claims["name"] == NAME and claims["id_number"] == ID_NUMBER
    assert claims["sub"] == keys.subject_for(ID_NUMBER) and ID_NUMBER not in claims["sub"]
    assert claims["nonce"] == "n" * 20 and claims["amr"] == ["face"]


def test_the_signing_key_is_derived_from_the_secret_key_and_changes_with_it():
    first = keys.public_jwk()
    assert keys.public_jwk() == first
    with override_settings(SECRET_KEY="another-secret-key-" + "x" * 40):
        assert keys.public_jwk()["kid"] != first["kid"]


def test_a_code_is_redeemed_once(client):
    code = _code(client)
    assert _token(client, code).status_code == 200
    replay = _token(client, code)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"


def test_a_wrong_pkce_verifier_spends_the_code(client):
    code = _code(client)
    wrong = _token(client, code, verifier="w" * 64)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert _token(client, code).status_code == 400


def test_a_code_expires_after_five_minutes(client):
    code = _code(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert _token(client, code).json()["error"] == "invalid_grant"


def test_a_code_is_bound_to_its_redirect_uri(client):
    code = _code(client)
    assert _token(client, code, redirect_uri=CALLBACK + "x").status_code == 400


def test_the_token_endpoint_needs_the_client_secret(client):
    response = _token(client, _code(client), secret="guess")
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_a_redeemed_code_keeps_no_personal_data(client):
    _token(client, _code(client))
    grant = SimulatorGrant.objects.get()
    assert grant.redeemed_at is not None and grant.claims is None


@pytest.mark.parametrize(
    "changes",
    [{"client_id": "stranger"}, {"redirect_uri": "https://evil.example/login/face/callback/"}],
)
def test_an_unregistered_client_or_callback_is_refused_without_a_redirect(client, changes):
    response = client.get("/idp-sim/authorize", _authorize_params(**changes))
    assert response.status_code == 400
    assert "登录请求来自未登记的应用" in response.content.decode()


@pytest.mark.parametrize(
    "changes",
    [
        {"code_challenge": None},
        {"code_challenge_method": "plain"},
        {"nonce": None},
        {"state": None},
        {"scope": "profile"},
        {"response_type": "token"},
    ],
)
def test_a_malformed_request_goes_back_to_the_client_with_invalid_request(client, changes):
    response = client.get("/idp-sim/authorize", _authorize_params(**changes))
    assert response.status_code == 302
    assert response["Location"].startswith(CALLBACK)
    assert parse_qs(urlsplit(response["Location"]).query)["error"] == ["invalid_request"]


def test_the_simulator_says_what_it_is(client):
    body = client.get("/idp-sim/").content.decode()
    assert "实名认证服务（模拟）" in body and "演示模拟" in body


@override_settings(SSCARD_IDP_SIMULATOR=False)
def test_the_simulator_answers_nothing_when_it_is_off(client):
    for path in ("/idp-sim/.well-known/openid-configuration", "/idp-sim/jwks", "/idp-sim/"):
        assert client.get(path).status_code == 404


def test_the_simulator_is_refused_in_production():
    with override_settings(SSCARD_ENV="production", SSCARD_IDP_SIMULATOR=True):
        assert "identity.E001" in [m.id for m in run_checks()]
    with override_settings(SSCARD_ENV="production", SSCARD_IDP_SIMULATOR=False):
        assert "identity.E001" not in [m.id for m in run_checks()]


# --- the first screen: 姓名 + 身份证号码 + consent -------------------------------------------


@pytest.fixture
def at_identity(client):
    response = client.get("/idp-sim/authorize", _authorize_params())
    assert response["Location"] == "/idp-sim/identity/"
    return client


@pytest.mark.parametrize(
    ("name", "id_number", "consent", "message"),
    [
        ("", ID_NUMBER, True, "请输入姓名"),
        (NAME, "", True, "请输入证件号码"),
        (NAME, ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1"), True, "校验位不正确"),
        (NAME, ID_NUMBER[:17], True, "身份证号码应为18位"),
        (NAME, ID_NUMBER, False, "请阅读并勾选同意后再开始人脸识别验证"),
    ],
    ids=["no-name", "no-id", "check-character", "too-short", "no-consent"],
)
def test_the_first_screen_refuses_beside_the_field(at_identity, name, id_number, consent, message):
    data = {"name": name, "id_number": id_number} | ({"consent": "on"} if consent else {})
    response = at_identity.post("/idp-sim/identity/", data)
    assert response.status_code == 200
    assert any(message in error for error in page_errors(response))
    assert f'value="{name}"' in response.content.decode()  # the input is kept


def test_a_name_that_is_not_the_one_on_record_for_the_id_number_is_refused(at_identity):
    person = PersonFactory(name="张三")
    response = at_identity.post(
        "/idp-sim/identity/",
        {"name": "李四", "id_number": person.doc_number, "consent": "on"},
    )
    assert page_errors(response) == ["姓名与身份证号码不一致，请核对后重新输入"]
    assert 'id="id_name-error"' in response.content.decode()


def test_the_right_name_goes_on_to_the_face_step(at_identity):
    person = PersonFactory(name="张三")
    response = at_identity.post(
        "/idp-sim/identity/",
        {"name": "张三", "id_number": person.doc_number.lower(), "consent": "on"},
    )
    assert response["Location"] == "/idp-sim/face/"


def test_a_screen_without_a_started_request_says_so(client):
    response = client.get("/idp-sim/identity/")
    assert response.status_code == 400
    assert "认证请求已失效" in response.content.decode()


# --- the face step ---------------------------------------------------------------------------


@pytest.fixture
def at_face(at_identity):
    at_identity.post("/idp-sim/identity/", {"name": NAME, "id_number": ID_NUMBER, "consent": "on"})
    return at_identity


def test_the_face_step_shows_the_identity_masked(at_face):
    body = at_face.get("/idp-sim/face/").content.decode()
    assert "黄*" in body and ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:] in body
    assert ID_NUMBER not in body
    assert 'accept="image/*" capture="user"' in body


@pytest.mark.parametrize(
    ("photo", "message"),
    [
        (faces.no_face, "未检测到人脸，请正对镜头、在光线充足处重新拍摄"),
        (faces.two_faces, "检测到多张人脸，请确保画面中只有本人"),
        (lambda: b"%PDF-1.4 not a picture", "无法识别该文件"),
        (lambda: b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "无法识别该文件"),
        (lambda: b"\xff\xd8\xff\xe0" + b"\x00" * 200, "无法识别该文件"),
        (lambda: faces.one_face("GIF"), "无法识别该文件"),
        (faces.huge_blank, "照片尺寸过大，请重新拍摄"),
    ],
    ids=["no-face", "two-faces", "pdf", "svg", "truncated-jpeg", "gif", "50-megapixels"],
)
def test_a_selfie_without_exactly_one_face_is_refused_beside_the_field(at_face, photo, message):
    response = at_face.post("/idp-sim/face/", {"consent": "on", "selfie": _upload(photo())})
    assert response.status_code == 200
    errors = page_errors(response)
    assert len(errors) == 1 and message in errors[0]
    assert 'id="id_selfie-error"' in response.content.decode()
    assert not SimulatorGrant.objects.exists()


def test_no_picture_or_no_consent_is_refused(at_face):
    response = at_face.post("/idp-sim/face/", {"consent": "on"})
    assert page_errors(response) == ["请拍摄或选择一张本人正脸照片"]
    response = at_face.post("/idp-sim/face/", {"selfie": _upload(faces.one_face())})
    assert page_errors(response) == ["请勾选同意后再进行人脸识别"]


def test_a_picture_over_ten_megabytes_is_refused(at_face, monkeypatch):
    monkeypatch.setattr(detector, "MAX_BYTES", 1024 * 1024)
    response = at_face.post(
        "/idp-sim/face/", {"consent": "on", "selfie": _upload(faces.large_one_face())}
    )
    assert page_errors(response) == ["照片不能超过10MB，请重新拍摄"]


def test_only_one_selfie_is_read_from_a_request(at_face):
    """Extra files (a second selfie, other fields) are dropped unread: one request holds at
    most one picture in memory."""
    response = at_face.post(
        "/idp-sim/face/",
        {
            "consent": "on",
            "selfie": [_upload(faces.no_face()), _upload(faces.one_face())],
            "other": _upload(faces.one_face()),
        },
    )
    assert page_errors(response) == ["未检测到人脸，请正对镜头、在光线充足处重新拍摄"]


def test_a_portrait_shot_stored_sideways_by_the_phone_is_turned_upright(at_face):
    sideways = faces.sideways_phone_photo()
    from io import BytesIO

    from PIL import Image

    raw = Image.open(BytesIO(sideways))
    raw.getexif().clear()
    stripped = BytesIO()
    raw.save(stripped, "JPEG")
    assert detector.count_faces(stripped.getvalue()) == 0  # without the EXIF turn: no face
    response = at_face.post("/idp-sim/face/", {"consent": "on", "selfie": _upload(sideways)})
    assert response.status_code == 200 and "人脸识别验证成功" in response.content.decode()


def _stored_files(folder: str = "") -> set[str]:
    folders, files = default_storage.listdir(folder)
    found = {f"{folder}{name}" for name in files}
    for sub in folders:
        found |= _stored_files(f"{folder}{sub}/")
    return found


def test_the_selfie_is_checked_in_memory_and_never_kept(at_face, monkeypatch):
    """A camera-sized picture (over Django's 2.5 MB in-memory threshold) is never written to
    a temporary file, to storage or to the database."""

    def no_temporary_files(*args, **kwargs):
        raise AssertionError("the selfie was about to be written to a temporary file")

    monkeypatch.setattr(TemporaryUploadedFile, "__init__", no_temporary_files)
    stored_before = _stored_files()
    photo = faces.large_one_face()
    assert len(photo) > 2_621_440
    response = at_face.post("/idp-sim/face/", {"consent": "on", "selfie": _upload(photo)})
    assert response.status_code == 200, page_errors(response)
    assert _stored_files() == stored_before
    grant = SimulatorGrant.objects.get()
    assert set(grant.claims) == {"iss", "sub", "name", "id_number"}


def test_a_later_visit_on_the_same_browser_goes_straight_to_the_face_step(client):
    _code(client)
    response = client.get("/idp-sim/authorize", _authorize_params(state="t" * 20))
    assert response["Location"] == "/idp-sim/face/"
    assert "黄*" in client.get("/idp-sim/face/").content.decode()


def test_not_me_forgets_the_remembered_identity(client):
    _code(client)
    client.get("/idp-sim/authorize", _authorize_params(state="t" * 20))
    response = client.post("/idp-sim/forget/")
    assert response["Location"] == "/idp-sim/identity/"
    assert client.get("/idp-sim/face/")["Location"] == "/idp-sim/identity/"
    response = client.get("/idp-sim/authorize", _authorize_params(state="u" * 20))
    assert response["Location"] == "/idp-sim/identity/"


def test_a_tampered_remembered_identity_is_ignored(client):
    _code(client)
    client.cookies["sscard_idp_sim_identity"] = (
        client.cookies["sscard_idp_sim_identity"].value[:-3] + "AAA"
    )
    response = client.get("/idp-sim/authorize", _authorize_params(state="t" * 20))
    assert response["Location"] == "/idp-sim/identity/"


def test_the_face_step_needs_a_csrf_token(at_face):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.cookies = at_face.cookies
    response = strict.post("/idp-sim/face/", {"consent": "on", "selfie": _upload(faces.one_face())})
    assert response.status_code == 403
