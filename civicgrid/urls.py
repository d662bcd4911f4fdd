from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from civicgrid.api.urls import api

urlpatterns = [
    path("", include("civicgrid.web.urls")),
    path("registry/", include("civicgrid.registry.urls")),
    path("orgs/", include("civicgrid.orgs.urls")),
    path("cases/", include("civicgrid.cases.urls")),
    path("prints/", include("civicgrid.prints.urls")),
    path("notifications/", include("civicgrid.notify.urls")),
    path("keypersons/", include("civicgrid.keypersons.urls")),
    path("visits/", include("civicgrid.visits.urls")),
    path("partywork/", include("civicgrid.partywork.urls")),
    path("patrols/", include("civicgrid.patrols.urls")),
    path("p/", include("civicgrid.portal.urls")),
    path("open311/v2/", include("civicgrid.open311.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
