from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("account/login/", views.LoginView.as_view(), name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # One-time codes: ask, type the code, or open the e-mail's link.
    path("account/login/code/", views.login_code, name="login_code"),
    path("account/login/code/enter/", views.login_code_enter, name="login_code_enter"),
    path("account/login/link/<str:token>/", views.login_link, name="login_link"),
    path("account/signup/", views.signup, name="signup"),
    path(
        "account/verify-email/resend/",
        views.resend_verification,
        name="resend_verification",
    ),
    path("account/verify-email/<str:token>/", views.verify_email, name="verify_email"),
    path("account/", views.profile, name="profile"),
    path("account/state/", views.state, name="state"),
    path("account/email/", views.change_email, name="change_email"),
    path(
        "account/email/confirm/<str:token>/",
        views.confirm_email_change,
        name="confirm_email_change",
    ),
    path("account/delete/", views.delete_account, name="delete_account"),
    path("account/data/", views.data_export, name="data"),
    path("account/data/download/", views.data_download, name="data_download"),
    # Passkeys: JSON for static/js/passkeys.js, and the account page's forms.
    path(
        "account/passkeys/add/options/",
        views.passkey_register_options,
        name="passkey_register_options",
    ),
    path("account/passkeys/add/", views.passkey_register, name="passkey_register"),
    path(
        "account/passkeys/sign-in/options/",
        views.passkey_login_options,
        name="passkey_login_options",
    ),
    path("account/passkeys/sign-in/", views.passkey_login, name="passkey_login"),
    path(
        "account/passkeys/<int:pk>/rename/",
        views.passkey_rename,
        name="passkey_rename",
    ),
    path(
        "account/passkeys/<int:pk>/remove/",
        views.passkey_remove,
        name="passkey_remove",
    ),
    # Passwords: Django's views with our templates and e-mails.
    path(
        "account/password/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "account/password/changed/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "account/password/reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "account/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="accounts/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "account/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    # Saved articles
    path("account/saved/", views.saved, name="saved"),
    path("account/save/<int:pk>/", views.save_prompt, name="save_prompt"),
    path("articles/<int:pk>/save/", views.save_article, name="save"),
    path("articles/<int:pk>/unsave/", views.unsave_article, name="unsave"),
    # Following and the personal feed
    path("account/following/", views.following, name="following"),
    path(
        "account/following/<str:kind>/<int:pk>/",
        views.follow_prompt,
        name="follow_prompt",
    ),
    path(
        "account/following/<str:kind>/<int:pk>/follow/",
        views.follow,
        name="follow",
    ),
    path(
        "account/following/<str:kind>/<int:pk>/unfollow/",
        views.unfollow,
        name="unfollow",
    ),
    path("for-you/", views.for_you, name="for_you"),
]
