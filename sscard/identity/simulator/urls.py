from django.urls import path

from sscard.identity.simulator import views

app_name = "idp_sim"

urlpatterns = [
    path("", views.index, name="index"),
    path(".well-known/openid-configuration", views.discovery, name="discovery"),
    path("jwks", views.jwks, name="jwks"),
    path("authorize", views.authorize, name="authorize"),
    path("token", views.token, name="token"),
    path("identity/", views.identity, name="identity"),
    path("face/", views.face, name="face"),
    path("forget/", views.forget, name="forget"),
    path("cancel/", views.cancel, name="cancel"),
]
