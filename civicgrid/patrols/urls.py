from django.urls import path

from civicgrid.patrols.views import findings, hours, shifts, teams

app_name = "patrols"
urlpatterns = [
    path("", teams.team_list, name="team_list"),
    path("teams/new/", teams.team_create, name="team_create"),
    path("teams/<int:pk>/", teams.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", teams.team_edit, name="team_edit"),
    path("teams/<int:pk>/retire/", teams.team_retire, name="team_retire"),
    path("teams/<int:pk>/members/", teams.member_add, name="member_add"),
    path("teams/<int:pk>/members/<int:member_pk>/remove/", teams.member_remove, name="member_remove"),
    path("teams/<int:pk>/areas/", teams.area_add, name="area_add"),
    path("teams/<int:pk>/areas/<int:area_pk>/retire/", teams.area_retire, name="area_retire"),
    path("teams/<int:pk>/shifts/new/", teams.shift_plan, name="shift_plan"),
    path("teams/<int:pk>/hours/", hours.team_hours, name="team_hours"),
    path("shifts/", shifts.shift_list, name="shift_list"),
    path("shifts/<int:pk>/", shifts.shift_detail, name="shift_detail"),
    path("shifts/<int:pk>/check-in/", shifts.check_in, name="check_in"),
    path("shifts/<int:pk>/check-out/", shifts.check_out, name="check_out"),
    path("shifts/<int:pk>/findings/", findings.finding_record, name="finding_record"),
    path("findings/", findings.finding_list, name="finding_list"),
    path("findings/<int:pk>/", findings.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/raise/", findings.finding_raise, name="finding_raise"),
    path("findings/<int:pk>/settle/", findings.finding_settle, name="finding_settle"),
    path("findings/<int:pk>/photo/", findings.finding_photo, name="finding_photo"),
    path("hours/", hours.hours, name="hours"),
]
