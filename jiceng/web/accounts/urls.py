"""Sign in and out with Django's auth views and our templates (lockouts: django-axes); the
password change; the account pages for region administrators; single sign-on when configured."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from jiceng.web.accounts import views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            redirect_authenticated_user=True,
            extra_context={
                "oidc_enabled": settings.OIDC_ENABLED,
                "oidc_provider_name": settings.JICENG_OIDC_PROVIDER_NAME,
            },
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("users/", views.user_list, name="account-list"),
    path("users/new/", views.user_create_page, name="account-create"),
    path("users/import/", views.staff_import_page, name="account-import"),
    path("users/import/template.xlsx", views.staff_import_template, name="account-import-template"),
    path("users/<int:pk>/", views.user_detail, name="account-detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="account-edit"),
    path("users/<int:pk>/password/", views.user_reset_password, name="account-password-reset"),
    path(
        "users/<int:pk>/disable/",
        views.user_set_active,
        {"active": False},
        name="account-disable",
    ),
    path("users/<int:pk>/enable/", views.user_set_active, {"active": True}, name="account-enable"),
    path("users/<int:pk>/tokens/", views.token_create, name="account-token-create"),
    path(
        "users/<int:pk>/tokens/<int:token_id>/revoke/",
        views.token_revoke,
        name="account-token-revoke",
    ),
    path("users/<int:pk>/workplaces/", views.user_workplaces, name="account-workplaces"),
]

if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
