app_name = "partywork"
urlpatterns: list = []
