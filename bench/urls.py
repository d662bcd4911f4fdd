from django.http import HttpResponse
from django.urls import path

from civicgrid.urls import urlpatterns as product


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("bench/hello", hello), *product]
