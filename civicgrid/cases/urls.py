from django.urls import include, path

app_name = "cases"
urlpatterns = [
    path("", include("civicgrid.cases.urls_staff")),
    path("measures/", include("civicgrid.cases.urls_measures")),
]
