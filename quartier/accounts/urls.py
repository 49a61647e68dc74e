from django.urls import path

from quartier.accounts import views

app_name = "accounts"
urlpatterns = [
    path("me/", views.me, name="me"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
    path("memberships/<int:pk>/remove/", views.remove_membership, name="remove_membership"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
