app_name = "keypersons"
urlpatterns: list = []
