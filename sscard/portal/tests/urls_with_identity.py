"""The project's URLs plus a stand-in for the real-name identity provider's start page, so
that the portal's links to 人脸识别登录 can be tested before a provider is configured."""

from django.http import HttpResponse
from django.urls import include, path

from config.urls import urlpatterns as project

identity = (
    [path("start/", lambda request: HttpResponse("identity"), name="start")],
    "identity",
)

urlpatterns = [path("identity/", include(identity)), *project]
