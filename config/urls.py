from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "社会保障卡服务“一件事” · 管理后台"
admin.site.site_title = "sscard"
admin.site.index_title = "业务数据"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("staff/", include("sscard.backoffice.urls")),
    path("files/", include("sscard.photos.urls")),
    path("", include("sscard.portal.urls")),
]
