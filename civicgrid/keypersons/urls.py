from django.urls import path

from civicgrid.keypersons import views

app_name = "keypersons"
urlpatterns = [
    path("", views.keyperson_list, name="list"),
    path("register/", views.keyperson_register, name="register"),
    path("register/residents/", views.resident_search, name="resident_search"),
    path("cadence/", views.cadence_settings, name="cadence"),
    path("<int:pk>/", views.keyperson_detail, name="detail"),
    path("<int:pk>/review/", views.keyperson_review, name="review"),
    path("<int:pk>/end/", views.keyperson_end, name="end"),
]
