app_name = "pb"
urlpatterns: list = []
