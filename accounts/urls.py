from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path(
        "account/login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html"),
        name="login",
    ),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/signup/", views.signup, name="signup"),
    path("account/", views.profile, name="profile"),
    path("account/saved/", views.saved, name="saved"),
    path("account/following/", views.following, name="following"),
    path("for-you/", views.for_you, name="for_you"),
    path("articles/<int:pk>/save/", views.save_article, name="save"),
    path("articles/<int:pk>/unsave/", views.unsave_article, name="unsave"),
]
