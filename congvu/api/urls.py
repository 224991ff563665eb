from ninja import NinjaAPI

api = NinjaAPI(title="Công vụ API", version="1", urls_namespace="api")
