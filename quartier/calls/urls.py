from django.urls import path

from quartier.calls import views

app_name = "calls"
urlpatterns = [
    path("calls/", views.call_list, name="list"),
    path("calls/new/", views.call_create, name="call_create"),
    path("calls/mine/", views.mine, name="mine"),
    path("calls/reviews/", views.my_reviews, name="my_reviews"),
    path("calls/reviews/<int:pk>/", views.review, name="review"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/edit/", views.call_edit, name="call_edit"),
    path("calls/<int:pk>/apply/", views.apply, name="apply"),
    path("calls/<int:pk>/manage/", views.manage, name="manage"),
    path("calls/<int:pk>/publish/", views.publish, name="publish"),
    path("calls/<int:pk>/confirm-eligible/", views.confirm_eligible, name="confirm_eligible"),
    path("calls/<int:pk>/jury/", views.jury, name="jury"),
    path("calls/<int:pk>/jury/assign/", views.assign, name="assign"),
    path("calls/<int:pk>/jury/close/", views.close_jury, name="close_jury"),
    path("calls/<int:pk>/conflicts/", views.conflicts, name="conflicts"),
    path("calls/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("calls/<int:pk>/allocation/", views.allocation, name="allocation"),
    path("calls/<int:pk>/decide/", views.decide, name="decide"),
    path("calls/<int:pk>/results/", views.results, name="results"),
    path("calls/<int:pk>/results.csv", views.results_csv, name="results_csv"),
    path("calls/<int:pk>/results.geojson", views.results_geojson, name="results_geojson"),
    path("calls/applications/<int:pk>/", views.application, name="application"),
    path("calls/applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("calls/applications/<int:pk>/autosave/", views.application_autosave, name="autosave"),
    path("calls/applications/<int:pk>/quarters/", views.application_quarters, name="quarters"),
    path("calls/applications/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("calls/applications/<int:pk>/eligibility/", views.eligibility, name="eligibility"),
    path("calls/attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("calls/attachments/<int:pk>/remove/", views.attachment_remove,
         name="attachment_remove"),
    path("calls/decisions/<int:pk>/revoke/", views.revoke, name="revoke"),
]
