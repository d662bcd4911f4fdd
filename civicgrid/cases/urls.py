app_name = "cases"
urlpatterns: list = [
    # The staff pages are added by cases.views (queue, detail, intake, overviews).
]
