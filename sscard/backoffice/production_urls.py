"""``/staff/production/``: the production officer's screens (``production_views``). The
namespace stays ``production`` so that every link and test reverses the same names."""

from django.urls import path

from sscard.backoffice import production_views as views

app_name = "production"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("batches/new/", views.batch_new, name="batch_new"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/send/", views.batch_send_view, name="batch_send"),
    path("batches/<int:pk>/cancel/", views.batch_cancel_view, name="batch_cancel"),
    path("batches/<int:pk>/export.<str:fmt>", views.batch_export_view, name="batch_export"),
    path("batches/<int:pk>/import/", views.batch_import_view, name="batch_import"),
]
