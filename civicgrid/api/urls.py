"""The REST API: each module's router mounted under /api/v1/, one error shape, documented."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, django_auth

from civicgrid.accounts.tokens import token_user
from civicgrid.core.api import ErrorOut
from civicgrid.core.errors import ApplicationError


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="civicgrid API",
    version="1",
    urls_namespace="api",
    auth=[BearerToken(), django_auth],
    description="civicgrid: territory, household registry and cases (接诉即办). "
    "Authenticate with `Authorization: Bearer <token>` (create one with `civicgrid token_create`). "
    "Errors share one shape: {code, message, field}.",
)


def _error(request, status: int, code: str, message: str, field: str | None = None):
    return api.create_response(request, {"code": code, "message": message, "field": field}, status=status)


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    return _error(request, exc.status, exc.code, str(exc.message), exc.field)


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return _error(request, 403, "forbidden", "You do not have permission to do this here.")


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _error(request, 401, "unauthenticated", "Authentication required: send a Bearer token.")


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path", "payload")]
    return _error(request, 422, "invalid", first.get("msg", "Invalid input."), ".".join(loc) or None)


from civicgrid.cases.api import router as cases_router  # noqa: E402
from civicgrid.keypersons.api import router as keypersons_router  # noqa: E402
from civicgrid.partywork.api import router as partywork_router  # noqa: E402
from civicgrid.patrols.api import router as patrols_router  # noqa: E402
from civicgrid.registry.api import router as registry_router  # noqa: E402
from civicgrid.visits.api import router as visits_router  # noqa: E402
from civicgrid.web.api import router as territory_router  # noqa: E402

api.add_router("/territories", territory_router)
api.add_router("/", registry_router)
api.add_router("/cases", cases_router)
api.add_router("/keypersons", keypersons_router)
api.add_router("/visits", visits_router)
api.add_router("/partywork", partywork_router)
api.add_router("/patrols", patrols_router)

__all__ = ["api", "ErrorOut"]
