from django.contrib.auth import views as auth_views
from django.urls import path

from sscard.backoffice import (
    appointment_views,
    audit_views,
    counter_views,
    dashboard_views,
    employer_views,
    flagged_views,
    outlet_views,
    payment_views,
    task_views,
    verify_views,
    views,
)

app_name = "backoffice"

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="backoffice:login"), name="logout"),
    path("", views.home, name="home"),
    # 审核
    path("queue/", views.queue, name="queue"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/reveal/", views.application_reveal, name="reveal"),
    path("applications/<int:pk>/accept/", views.application_accept, name="accept"),
    path("applications/<int:pk>/approve/", views.application_approve, name="approve"),
    path("applications/<int:pk>/return/", views.application_return, name="return"),
    path("applications/<int:pk>/reject/", views.application_reject, name="reject"),
    path("applications/<int:pk>/end/", views.application_end, name="end"),
    # 网点
    path("outlet/", outlet_views.outlet_home, name="outlet"),
    path("outlet/orders/<int:pk>/sign-in/", outlet_views.outlet_sign_in, name="outlet_sign_in"),
    path("outlet/orders/<int:pk>/handover/", outlet_views.outlet_handover, name="handover"),
    # 网点预约: the day's bookings, 已到 (then the handover) and 未到
    path("outlet/appointments/", appointment_views.appointments_day, name="appointments"),
    path(
        "outlet/appointments/<int:pk>/arrived/",
        appointment_views.appointment_arrived,
        name="appointment_arrived",
    ),
    path(
        "outlet/appointments/<int:pk>/no-show/",
        appointment_views.appointment_no_show,
        name="appointment_no_show",
    ),
    # 窗口代办
    path("counter/", counter_views.counter_home, name="counter"),
    path("counter/<str:item>/", counter_views.counter_item, name="counter_item"),
    path(
        "counter/receipts/<str:receipt>/<slug:kind>/",
        counter_views.counter_receipt,
        name="counter_receipt",
    ),
    path("counter/returned/<int:pk>/", counter_views.counter_resubmit, name="counter_resubmit"),
    # 电子社保卡核验: the holder's QR code, pasted or photographed
    path("verify/", verify_views.verify, name="verify"),
    path("verify/photo/<int:pk>/", verify_views.verify_photo, name="verify_photo"),
    # 异常账号: holders reported “不是本人操作”
    path("flagged/", flagged_views.flagged_list, name="flagged"),
    path("flagged/<int:pk>/clear/", flagged_views.flagged_clear, name="flagged_clear"),
    # 待审核单位: employers' registrations (营业执照)
    path("employers/", employer_views.employer_queue, name="employers"),
    path("employers/<int:pk>/", employer_views.employer_detail, name="employer"),
    path("employers/<int:pk>/licence/", employer_views.employer_licence, name="employer_licence"),
    path("employers/<int:pk>/approve/", employer_views.employer_approve, name="employer_approve"),
    path("employers/<int:pk>/refuse/", employer_views.employer_refuse, name="employer_refuse"),
    # 统计与审计
    path("dashboard/", dashboard_views.dashboard_view, name="dashboard"),
    path("audit/", audit_views.audit_list, name="audit"),
    # 失败任务: background tasks that failed, run again by the 系统管理员
    path("tasks/failed/", task_views.failed_task_list, name="failed_tasks"),
    path(
        "tasks/failed/<str:task_id>/requeue/",
        task_views.failed_task_requeue,
        name="failed_task_requeue",
    ),
    path("payments/", payment_views.payments, name="payments"),
]
