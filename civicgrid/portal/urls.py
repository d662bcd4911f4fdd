from django.urls import path

from civicgrid.portal import views, views_register
from civicgrid.registry.models import SelfRegistrationKind

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("report/places/", views.grids, name="grids"),
    path("report/thanks/<str:code>/", views.thanks, name="thanks"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.track_case, name="track_case"),
    path("track/<str:code>/rate/", views.rate, name="rate"),
    path("track/<str:code>/photos/<int:pk>/", views.photo, name="photo"),
    path("registration/<str:code>/", views_register.registration, name="registration"),
    # A door plate's QR code opens /p/<house code>/ (the plates are printed on the registry pages).
    path("<str:house_code>/", views.house, name="house"),
    path("<str:house_code>/report/", views.report, name="house_report"),
    path("<str:house_code>/register/", views_register.register, name="house_register"),
    path(
        "<str:house_code>/update/",
        views_register.register,
        {"kind": SelfRegistrationKind.UPDATE},
        name="house_update",
    ),
]
