from django.urls import path
from django.views.generic import RedirectView

from civicgrid.registry import views, views_plates, views_review

app_name = "registry"
urlpatterns = [
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_new, name="household_new"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/add-member/", views.resident_add, name="resident_add"),
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/export.xlsx", views.resident_export, name="resident_export"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("residents/<int:pk>/leave/", views.resident_leave, name="resident_leave"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/template.csv", views.import_template, name="import_template"),
    path("review/", views_review.review, name="review"),
    path("review/registrations/<int:pk>/", views_review.registration_detail, name="review_registration"),
    path("review/registrations/<int:pk>/approve/", views_review.registration_approve, name="review_approve"),
    path("review/registrations/<int:pk>/merge/", views_review.registration_merge, name="review_merge"),
    path("review/registrations/<int:pk>/reject/", views_review.registration_reject, name="review_reject"),
    path("review/corrections/<int:pk>/", views_review.correction_detail, name="review_correction"),
    path(
        "review/corrections/<int:pk>/approve/",
        views_review.correction_approve,
        name="review_correction_approve",
    ),
    path(
        "review/corrections/<int:pk>/reject/", views_review.correction_reject, name="review_correction_reject"
    ),
    path("plates/", views_plates.plate_sheets, name="plates"),
    path("plates/print/", views_plates.plates_pick, name="plates_pick"),
    path("plates/<int:pk>/", views_plates.plate_sheet, name="plate_sheet"),
    # The sheet's page once had this address, which promised a PDF: links kept elsewhere still work.
    path("plates/<int:pk>.pdf", RedirectView.as_view(pattern_name="registry:plate_sheet", permanent=True)),
]
