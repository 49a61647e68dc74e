from django.urls import path

from quartier.anchors import views

app_name = "anchors"
urlpatterns = [
    path("anchors/", views.search, name="search"),
    path("anchors/new/", views.anchor_create, name="anchor_create"),
    path("anchors/mine/", views.mine, name="mine"),
    path("anchors/review/", views.queue, name="queue"),
    path("anchors/<int:pk>/", views.anchor, name="anchor"),
    path("anchors/<int:pk>/image/", views.image, name="image"),
    path("anchors/<int:pk>/edit/", views.anchor_edit, name="anchor_edit"),
    path("anchors/<int:pk>/history/", views.history, name="history"),
    path("anchors/<int:pk>/review/", views.review, name="review"),
]
