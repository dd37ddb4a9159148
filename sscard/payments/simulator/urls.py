from django.urls import path

from sscard.payments.simulator import views

app_name = "pay_sim"

urlpatterns = [
    path("", views.console, name="console"),
    path("mode", views.set_mode, name="mode"),
    path("pay/<str:token>", views.pay_page, name="pay"),
    path("api/orders", views.api_create, name="create"),
    path("api/orders/<str:out_trade_no>", views.api_query, name="query"),
    path("api/orders/<str:out_trade_no>/close", views.api_close, name="close"),
    path("api/refunds", views.api_refund, name="refund"),
    path("api/statements/<str:day>", views.api_statement, name="statement"),
]
