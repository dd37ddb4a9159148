from django.urls import path

from sscard.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # the operator's prefix: only SSCARD_METRICS_ALLOWED_NETWORKS (and SSCARD_METRICS_TOKEN)
    path("ops/metrics", views.metrics, name="metrics"),
]
