from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "quartier.api"
    label = "api"
