from django.urls import path

from sscard.portal import (
    account_views,
    application_views,
    appointment_views,
    ecard_views,
    login_views,
    payment_views,
    receipt_views,
    verify,
    views,
)

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.center, name="center"),
    path("me/password/", account_views.change_password, name="password"),
    path("me/info/", account_views.my_info, name="my_info"),
    # 我的电子社保卡: the card face and its QR code (亮码)
    path("ecard/", ecard_views.ecard, name="ecard"),
    path("ecard/<int:card_id>/code/", ecard_views.ecard_code, name="ecard_code"),
    path("report/<str:token>/", account_views.report_not_me, name="report"),
    path("login/", login_views.login_view, name="login"),
    path("login/captcha/", login_views.captcha_refresh, name="captcha"),
    path("register/", login_views.register, name="register"),
    path("register/code/", login_views.register_code, name="register_code"),
    path("logout/", login_views.logout_view, name="logout"),
    path("verify/sms/", verify.verify_sms, name="verify_sms"),
    path("elder/", views.elder_switch, name="elder"),
    path("bundles/", views.bundle_list, name="bundles"),
    path("bundles/<slug:code>/", views.bundle_detail, name="bundle"),
    path("bundles/<slug:code>/<slug:item>/", views.select_target, name="select"),
    path("bundles/<slug:code>/<slug:item>/<slug:target>/", views.item_page, name="item"),
    path(
        "bundles/<slug:code>/progress/<slug:target>/receive/",
        views.confirm_receipt,
        name="receive",
    ),
    path("photo-check/", views.photo_check, name="photo_check"),
    path("ward-check/", views.ward_check, name="ward_check"),
    path("drafts/<uuid:draft_id>/", application_views.confirm, name="confirm"),
    path("drafts/<uuid:draft_id>/discard/", application_views.discard, name="discard"),
    path("my/", application_views.applications, name="applications"),
    path("my/<str:receipt>/", application_views.application_detail, name="application"),
    path("my/<str:receipt>/withdraw/", application_views.withdraw, name="withdraw"),
    path("my/<str:receipt>/pay/", payment_views.pay, name="pay"),
    path("my/<str:receipt>/paid/", payment_views.paid, name="paid"),
    path("my/<str:receipt>/correct/", application_views.correct, name="correct"),
    # 受理回执 and 办结凭证 as PDF, and the public page their QR code opens
    path("my/<str:receipt>/pdf/<slug:kind>/", receipt_views.receipt_download, name="receipt_pdf"),
    path("verify/receipt/<str:code>/", receipt_views.verify_receipt, name="verify_receipt"),
    # 网点预约
    path("appointments/new/", appointment_views.appointment_new, name="appointment_new"),
    path("appointments/<str:code>/", appointment_views.appointment_detail, name="appointment"),
    path(
        "appointments/<str:code>/reschedule/",
        appointment_views.appointment_reschedule_view,
        name="appointment_reschedule",
    ),
    path(
        "appointments/<str:code>/cancel/",
        appointment_views.appointment_cancel_view,
        name="appointment_cancel",
    ),
]
