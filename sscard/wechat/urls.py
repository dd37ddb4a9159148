from django.urls import path

from sscard.wechat import views

app_name = "wechat"

urlpatterns = [
    path("", views.start, name="start"),
    path("callback/", views.callback, name="callback"),
    path("bind/", views.bind, name="bind"),
    path("bind/complete/", views.complete, name="complete"),
    path("unbind/", views.unbind, name="unbind"),
]
