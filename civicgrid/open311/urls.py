"""GeoReport v2 under /open311/v2/: every resource in both formats, chosen by the URL's suffix."""

from django.urls import re_path

from civicgrid.open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"
CODE = r"(?P<service_code>[-\w]*)"  # empty too: the spec answers "not provided" with a 400

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(r"^services/" + CODE + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests/(?P<service_request_id>[^/]*?)" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]*?)" + FMT, views.token, name="token"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
