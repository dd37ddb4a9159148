from django.urls import path

from sscard.employer_site import views

app_name = "employers"

urlpatterns = [
    path("", views.home, name="index"),
    path("register/", views.register, name="register"),
    path("licence/", views.licence, name="licence"),
    path("licence/file/", views.licence_file, name="licence_file"),
    path("clerks/", views.clerks, name="clerks"),
    path("clerks/<int:pk>/toggle/", views.clerk_toggle, name="clerk_toggle"),
    path("batches/", views.batches, name="batches"),
    path("batches/template.xlsx", views.template_download, name="template"),
    path("batches/<uuid:batch_id>/", views.batch_detail, name="batch"),
    path("batches/<uuid:batch_id>/progress/", views.batch_progress, name="batch_progress"),
    path("batches/<uuid:batch_id>/errors.xlsx", views.batch_errors, name="batch_errors"),
    path("batches/<uuid:batch_id>/submit/", views.batch_submit, name="batch_submit"),
    path("batches/<uuid:batch_id>/cancel/", views.batch_cancel, name="batch_cancel"),
    path("applications/", views.applications, name="employees"),
    path("applications/export.xlsx", views.applications_export, name="employees_export"),
    path("applications/<str:receipt>/", views.application_detail, name="employee"),
]
