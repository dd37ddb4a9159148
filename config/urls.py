from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "社会保障卡服务“一件事” · 管理后台"
admin.site.site_title = "sscard"
admin.site.index_title = "业务数据"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
