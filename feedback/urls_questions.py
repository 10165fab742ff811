"""Addresses of questions and answers (inside i18n_patterns, under /questions/)."""

from django.urls import path

from . import views_questions as views

question_patterns = [
    path("", views.question_list, name="questions_list"),
    path("ask/", views.ask, name="questions_ask"),
    path("ask/sent/", views.asked, name="questions_asked"),
    path("confirm/<str:token>/", views.verify, name="questions_verify"),
    path("<uuid:key>/", views.question_detail, name="questions_detail"),
]
