from django.urls import path

from . import views

app_name = "push"

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    # Under /account/: personal by nature, so the edge passes them through
    # with the reader's cookies (deploy/varnish/newsroom.vcl).
    path("account/notifications/", views.manage, name="manage"),
    path("account/notifications/<int:pk>/remove/", views.remove, name="remove"),
    path("account/notifications/token/", views.token, name="token"),
    path("account/notifications/subscribe/", views.subscribe, name="subscribe"),
    path("account/notifications/status/", views.status, name="status"),
    path("account/notifications/unsubscribe/", views.unsubscribe, name="unsubscribe"),
]
