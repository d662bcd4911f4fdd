from django.urls import path

from civicgrid.partywork import views, views_inservice

app_name = "partywork"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("contacts/<int:pairing_id>/", views.contact, name="contact"),
    path("coverage/", views.coverage_page, name="coverage"),
    path("members/<int:member_id>/", views.member_detail, name="member_detail"),
    path("members/<int:member_id>/pair/", views.member_pair, name="member_pair"),
    path("members/<int:member_id>/hand-over/", views.member_hand_over, name="member_hand_over"),
    path("pairings/<int:pairing_id>/end/", views.pairing_end, name="pairing_end"),
    path("inservice/", views_inservice.inservice_list, name="inservice_list"),
    path("inservice/enter/", views_inservice.inservice_enter, name="inservice_enter"),
    path("inservice/mine/", views_inservice.inservice_mine, name="inservice_mine"),
    path("inservice/register/", views_inservice.inservice_register, name="inservice_register"),
    path("inservice/<int:member_id>/", views_inservice.inservice_detail, name="inservice_detail"),
    path("inservice/<int:member_id>/leave/", views_inservice.inservice_leave, name="inservice_leave"),
    path("inservice/<int:member_id>/pledges/", views_inservice.pledge_add, name="pledge_add"),
    path("inservice/<int:member_id>/services/", views_inservice.service_add, name="service_add"),
    path("pledges/<int:pledge_id>/withdraw/", views_inservice.pledge_withdraw, name="pledge_withdraw"),
    path("services/<int:service_id>/decide/", views_inservice.service_decide, name="service_decide"),
]
