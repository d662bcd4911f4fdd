from django.urls import path

from civicgrid.registry import views

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
]
