from django.urls import path

from sscard.wechat.simulator import views

app_name = "wechat_sim"

urlpatterns = [
    path("connect/oauth2/authorize", views.authorize, name="authorize"),
    path("sns/oauth2/access_token", views.access_token, name="access_token"),
    path("sns/oauth2/refresh_token", views.refresh_token, name="refresh_token"),
    path("sns/userinfo", views.userinfo, name="userinfo"),
    path("sns/auth", views.auth, name="auth"),
]
