from django.urls import path

from civicgrid.portal import views

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
    # A door plate's QR code opens /p/<house code>/ (the plates themselves are printed elsewhere).
    path("<str:house_code>/", views.house, name="house"),
    path("<str:house_code>/report/", views.report, name="house_report"),
]
