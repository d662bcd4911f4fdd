from ninja import NinjaAPI

api = NinjaAPI(title="civicgrid API", version="1", urls_namespace="api")
