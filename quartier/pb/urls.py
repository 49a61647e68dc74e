from django.urls import path

from quartier.pb import views

app_name = "pb"
urlpatterns = [
    path("quarter-budgets/", views.budgets, name="budgets"),
    path("quarter-budgets/new/<int:quarter>/", views.budget_create, name="budget_create"),
    path("quarter-budgets/import/<int:quarter>/", views.budget_import, name="budget_import"),
    path("quarter-budgets/<int:pk>/", views.budget, name="budget"),
    path("quarter-budgets/<int:pk>/edit/", views.budget_edit, name="budget_edit"),
    path("quarter-budgets/<int:pk>/propose/", views.propose, name="propose"),
    path("quarter-budgets/<int:pk>/proposals/<int:proposal>/", views.proposal, name="proposal"),
    path("quarter-budgets/<int:pk>/proposals/<int:proposal>/review/", views.review,
         name="review"),
    path("quarter-budgets/<int:pk>/review/", views.review_queue, name="review_queue"),
    path("quarter-budgets/<int:pk>/code/", views.code, name="code"),
    path("quarter-budgets/<int:pk>/vote/", views.vote, name="vote"),
    path("quarter-budgets/<int:pk>/codes/", views.codes, name="codes"),
    path("quarter-budgets/<int:pk>/codes/letters/", views.letters, name="letters"),
    path("quarter-budgets/<int:pk>/codes/void/", views.void_codes, name="void_codes"),
    path("quarter-budgets/<int:pk>/paper/", views.paper, name="paper"),
    path("quarter-budgets/<int:pk>/paper/import/", views.paper_import, name="paper_import"),
    path("quarter-budgets/<int:pk>/paper/<int:entry>/discard/", views.paper_discard,
         name="paper_discard"),
    path("quarter-budgets/<int:pk>/count/", views.count, name="count"),
    path("quarter-budgets/<int:pk>/result/", views.result, name="result"),
    path("quarter-budgets/<int:pk>/deviate/", views.deviate, name="deviate"),
    path("quarter-budgets/<int:pk>/export.pb", views.export, name="export"),
]
