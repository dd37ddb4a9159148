"""The Django admin app, with :class:`sscard.backoffice.admin_site.StaffAdminSite` as its
default site (kept apart from the site class: an app config module may not import models)."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "sscard.backoffice.admin_site.StaffAdminSite"
