from django.urls import path

from civicgrid.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
]
