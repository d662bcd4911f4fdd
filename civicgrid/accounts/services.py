from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.accounts.models import RoleAssignment
from civicgrid.accounts.roles import Role
from civicgrid.audit.services import audit_record
from civicgrid.core import clock
from civicgrid.core.errors import ApplicationError

User = get_user_model()


@transaction.atomic
def user_create(
    *, actor, username: str, password: str | None, display_name: str = "", email: str = "", language: str = ""
) -> User:
    username = username.strip()
    if not username:
        raise ApplicationError(_("A user name is required."), field="username")
    if User.objects.filter(username=username).exists():
        raise ApplicationError(_("The user name %(name)s is taken.") % {"name": username}, field="username")
    user = User(username=username, display_name=display_name, email=email, language=language)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit_record(actor=actor, action="user.create", obj=user, summary={"username": username})
    return user


@transaction.atomic
def role_assign(*, actor, user, role: str, territory, organisation=None, valid_to=None) -> RoleAssignment:
    if role not in Role.values:
        raise ApplicationError(_("Unknown role."), field="role")
    if role == Role.DEPARTMENT_HANDLER and organisation is None:
        raise ApplicationError(_("A department handler acts for a department."), field="organisation")
    assignment = RoleAssignment.objects.create(
        user=user,
        role=role,
        territory=territory,
        territory_path=territory.path,
        organisation=organisation,
        valid_to=valid_to,
    )
    audit_record(
        actor=actor,
        action="role.assign",
        obj=assignment,
        summary={"user": user.username, "role": role, "territory": territory.code},
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> RoleAssignment:
    if assignment.valid_to is not None and assignment.valid_to <= clock.now():
        raise ApplicationError(_("This assignment has already ended."))
    assignment.valid_to = clock.now()
    assignment.save(update_fields=["valid_to"])
    audit_record(
        actor=actor,
        action="role.revoke",
        obj=assignment,
        summary={"user": assignment.user.username, "role": assignment.role},
    )
    return assignment
