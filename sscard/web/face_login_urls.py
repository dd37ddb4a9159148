"""/login/face/: 人脸识别登录 (URL names ``identity:…``; the callback is the redirect URI
registered at the provider)."""

from django.urls import path

from sscard.web import face_login as views

app_name = "identity"

urlpatterns = [
    path("", views.start, name="start"),
    path("callback/", views.callback, name="callback"),
]
