from django.urls import path

import config.console  # noqa: F401  (registers the <id:> converter)
from logs import views

app_name = "logs"

urlpatterns = [
    path("logs/", views.log_list, name="list"),
    path("logs/<id:log_id>/", views.log_detail, name="detail"),
]
