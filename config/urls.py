from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from sscard.core.views import JWKS_PATH, favicon, jwks

admin.site.site_header = "社会保障卡服务“一件事” · 管理后台"
admin.site.site_title = "sscard"
admin.site.index_title = "业务数据"

# Chinese error pages in the look of the side the address belongs to (sscard.core.errorpages)
handler400 = "sscard.core.errorpages.bad_request"
handler403 = "sscard.core.errorpages.permission_denied"
handler404 = "sscard.core.errorpages.page_not_found"
handler500 = "sscard.core.errorpages.server_error"

Route = URLPattern | URLResolver


def simulator_patterns() -> list[Route]:
    """The simulated outside systems (demo and tests only), by their flags — and never in
    production, whatever the flags say: there they are not routed at all."""
    if settings.SSCARD_ENV == "production":
        return []
    routes: list[Route] = []
    if settings.SSCARD_IDP_SIMULATOR:
        # the simulated real-name provider (sscard.identity.simulator)
        routes.append(path("idp-sim/", include("sscard.identity.simulator.urls")))
    if settings.SSCARD_SMS_SIMULATOR:
        # the simulated SMS gateway and the demo's 短信收件箱 (sscard.sms)
        routes.append(path("sms-sim/", include("sscard.sms.simulator.urls")))
    if settings.SSCARD_PAYMENT_SIMULATOR:
        # the simulated payment gateway and its pay page (sscard.payments)
        routes.append(path("pay-sim/", include("sscard.payments.simulator.urls")))
    if settings.SSCARD_WECHAT_SIMULATOR:
        # the simulated WeChat web-authorization server (sscard.wechat)
        routes.append(path("wechat-sim/", include("sscard.wechat.simulator.urls")))
    return routes


def build_urlpatterns() -> list[Route]:
    """The site's routes under the settings in force (a test calls it under its own)."""
    routes = simulator_patterns()
    if settings.SSCARD_BENCH_BASELINE:
        # the benchmark's baseline and floor pages (sscard.bench; scripts/bench.py turns them on)
        routes.append(path("bench/", include("sscard.bench.urls")))
    return [
        *routes,
        path("favicon.ico", favicon, name="favicon"),
        # the public keys of the service's signatures (sscard.core.signing)
        path(JWKS_PATH, jwks, name="jwks"),
        # the load balancer's probes and the operator's metrics (sscard.monitoring)
        path("", include("sscard.monitoring.urls")),
        path("admin/", admin.site.urls),
        path("partner/api/v1/", include("sscard.partners.urls")),
        # the payment gateway's notifications (sscard.payments.callback)
        path("payments/", include("sscard.payments.urls")),
        path("staff/production/", include("sscard.backoffice.production_urls")),
        path("staff/notifications/", include("sscard.backoffice.message_urls")),
        path("staff/", include("sscard.backoffice.urls")),
        path("captcha/", include("captcha.urls")),
        path("messages/", include("sscard.portal.message_urls")),
        path("login/face/", include("sscard.web.face_login_urls")),
        path("wechat/", include("sscard.wechat.urls")),
        path("files/", include("sscard.portal.files_urls")),
        path("employer/", include("sscard.employer_site.urls")),
        path("", include("sscard.portal.urls")),
    ]


urlpatterns = build_urlpatterns()
