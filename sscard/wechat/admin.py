from django.contrib import admin

from sscard.core.admin import ReadOnlyAdmin
from sscard.wechat.models import WeChatBinding


@admin.register(WeChatBinding)
class WeChatBindingAdmin(ReadOnlyAdmin):
    """Bindings are made and undone by their holders; the openid is never shown."""

    list_display = ("user", "nickname", "created_at", "last_login_at")
    search_fields = ("user__username",)
    fields = ("user", "nickname", "created_at", "last_login_at")
