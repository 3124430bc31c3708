"""URLs of the documents app, under /cases/ (included before the cases app's own)."""

from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("exports/", views.export_create, name="export_create"),
    path("exports/<uuid:job_id>/", views.export_status, name="export"),
    path("exports/<uuid:job_id>/download/", views.export_download, name="export_download"),
    path("<str:reference>/summary.pdf", views.summary, name="summary"),
    path("<str:reference>/documents/new/", views.document_upload, name="upload"),
    path("<str:reference>/documents/<int:number>/download/", views.document_download, name="download"),
    path("<str:reference>/documents/<int:number>/remove/", views.document_remove, name="remove"),
    path("<str:reference>/share/", views.case_share, name="share"),
    path("<str:reference>/unshare/", views.case_unshare, name="unshare"),
]
