from __future__ import annotations

from django.urls import path

from stores.queue.views import check_in_page

app_name = "queue"

urlpatterns = [
    path("check-in/<str:token>/", check_in_page, name="check_in"),
]
