from django.urls import path

from . import views

app_name = "newsletters"

urlpatterns = [
    path("account/newsletters/", views.manage, name="manage"),
    path(
        "newsletters/unsubscribe/<str:token>/",
        views.unsubscribe_view,
        name="unsubscribe",
    ),
]
