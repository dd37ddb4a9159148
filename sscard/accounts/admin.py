from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from sscard.accounts.models import Employer, Employment, Guardianship, Person, User, identity_hash
from sscard.core.admin import ReadOnlyAdmin, ServiceWrittenAdmin
from sscard.core.documents import DocType
from sscard.core.masking import mask_address


class MaskedPersonMixin:
    """Personal data is shown masked in the admin; nobody edits identity data here."""

    @admin.display(description="姓名")
    def masked_name(self, obj: Person) -> str:
        return obj.masked_name

    @admin.display(description="证件号码")
    def masked_doc_number(self, obj: Person) -> str:
        return obj.masked_doc_number

    @admin.display(description="手机号码")
    def masked_phone(self, obj: Person) -> str:
        return obj.masked_phone

    @admin.display(description="通讯地址")
    def masked_address(self, obj: Person) -> str:
        return mask_address(obj.address)


@admin.register(Person)
class PersonAdmin(MaskedPersonMixin, ServiceWrittenAdmin):
    list_display = (
        "id",
        "masked_name",
        "doc_type",
        "masked_doc_number",
        "gender",
        "birth_date",
        "masked_phone",
    )
    list_filter = ("doc_type", "gender")
    search_fields = ("name",)
    fields = (
        "masked_name",
        "doc_type",
        "masked_doc_number",
        "gender",
        "ethnicity",
        "nationality",
        "birth_date",
        "masked_phone",
        "masked_address",
        "postcode",
        "occupation",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Person], search_term: str
    ) -> tuple[QuerySet[Person], bool]:
        """A full ID number finds its person by the keyed hash; names by their text."""
        term = search_term.strip().upper()
        if len(term) == 18:
            return queryset.filter(identity_hash=identity_hash(DocType.RESIDENT_ID, term)), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "role", "is_staff", "is_active", "last_login")
    list_filter = ("role", "is_staff", "is_active")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("社保卡服务", {"fields": ("role", "person", "employer", "outlet")}),
    )
    # who a login is (its person or employer) is set by registration, not edited here
    readonly_fields = ("person", "employer")


class ReadOnlyLinkAdmin(ReadOnlyAdmin):
    """Links that grant access are made by the services (with proof and audit) only."""


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "contact_name", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "uscc")
    exclude = ("contact_phone",)
    # the review is decided by a reviewer at /staff/employers/ (audited, the employer told)
    readonly_fields = ("status", "reviewed_by", "reviewed_at", "refusal_reason")


@admin.register(Employment)
class EmploymentAdmin(ReadOnlyLinkAdmin):
    list_display = ("employer", "person", "active", "created_at")
    list_filter = ("active",)
    raw_id_fields = ("employer", "person")


@admin.register(Guardianship)
class GuardianshipAdmin(ReadOnlyLinkAdmin):
    list_display = ("guardian", "ward", "relationship", "active", "created_at")
    list_filter = ("relationship", "active")
    raw_id_fields = ("guardian", "ward")
