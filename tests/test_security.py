"""The security baseline: password hashing, login throttling, response headers, API tokens,
deployment checks, where uploads live, and ID numbers kept out of logs."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import identify_hasher
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from jiceng.core.identifiers import MaskIdentityNumbersFilter
from jiceng.core.models import ApiToken
from jiceng.core.services.accounts import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)

REPOSITORY = Path(__file__).resolve().parent.parent


def test_new_passwords_are_hashed_with_argon2(users):
    assert identify_hasher(users["admin"].password).algorithm == "argon2"
    assert users["admin"].check_password("pw-admin-2026")
    assert django_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def _sign_in(client, password: str):
    return client.post(reverse("login"), {"username": "wutong", "password": password})


def test_login_locks_out_after_the_failure_limit(client, users, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = _sign_in(client, "wrong-password")
        assert "_auth_user_id" not in client.session
    response = _sign_in(client, "pw-wutong-2026")
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_login_works_below_the_failure_limit(client, users, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "wrong-password")
    response = _sign_in(client, "pw-wutong-2026")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(users["wutong"].pk)


@pytest.mark.parametrize("signed_in", [False, True])
def test_responses_carry_the_security_headers(client, users, signed_in):
    if signed_in:
        client.force_login(users["wutong"])
        response = client.get(reverse("people-list"))
    else:
        response = client.get(reverse("login"))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_registry_pages_have_no_inline_scripts_or_event_handlers(client, users):
    from tests.registry_factories import WUTONG, make_person

    person = make_person("脚本检查", WUTONG, 1)
    client.force_login(users["admin"])
    for name, args in [
        ("people-list", []),
        ("person-detail", [person.pk]),
        ("person-create", []),
        ("people-import", []),
        ("audit-log", []),
    ]:
        text = client.get(reverse(name, args=args)).content.decode().lower()
        assert "<script>" not in text, name
        assert " onclick=" not in text and " onchange=" not in text and " onload=" not in text


def test_api_tokens_are_stored_hashed_and_can_be_revoked(client, users):
    token, plain = api_token_create(user=users["wutong"], name="test")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert plain not in [str(value) for value in stored.values()]
    assert not any(plain in str(value) for value in stored.values())
    assert stored["key_digest"] == hashlib.sha256(plain.encode()).hexdigest()
    assert api_token_authenticate(plain) == users["wutong"]
    api_token_revoke(token=token)
    assert api_token_authenticate(plain) is None
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 401


def test_the_deployment_check_is_clean_with_production_settings(tmp_path):
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JICENG_", "DJANGO_"))
    }
    environment.update(
        JICENG_SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
        JICENG_HTTPS="1",
        JICENG_DEBUG="0",
        JICENG_ALLOWED_HOSTS="jiceng.example.gov.cn",
        JICENG_DATA=str(tmp_path / "data"),
        JICENG_FIELD_KEY=secrets.token_urlsafe(48),
    )
    result = subprocess.run(
        [sys.executable, "-m", "jiceng", "manage", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output.upper().replace("(1 SILENCED)", "")


def test_uploads_are_stored_in_the_media_root_outside_the_static_root(settings, tmp_path):
    media, static = Path(django_settings.MEDIA_ROOT), Path(django_settings.STATIC_ROOT)
    assert not media.resolve().is_relative_to(static.resolve())
    assert not static.resolve().is_relative_to(media.resolve())
    assert django_settings.MEDIA_URL != django_settings.STATIC_URL
    settings.MEDIA_ROOT = tmp_path / "uploads"
    name = default_storage.save("cases/photo.jpg", ContentFile(b"\xff\xd8\xff"))
    assert Path(default_storage.path(name)).resolve().is_relative_to(settings.MEDIA_ROOT)


def _console_handler() -> logging.Handler:
    for handler in logging.getLogger().handlers:
        if any(isinstance(f, MaskIdentityNumbersFilter) for f in handler.filters):
            return handler
    raise AssertionError("no log handler masks ID numbers")


def test_id_numbers_never_reach_the_log_in_clear():
    handler = _console_handler()
    assert isinstance(handler, logging.StreamHandler)
    captured = io.StringIO()
    previous = handler.setStream(captured)
    try:
        logger = logging.getLogger("jiceng.tests.security")
        logger.warning("lookup of %s failed", "330483198503090147")
        logger.error("resident 11010519491231002X at the window")
    finally:
        handler.setStream(previous)
    output = captured.getvalue()
    assert "330483********0147" in output
    assert "110105********002X" in output
    assert "198503090147" not in output
    assert "19491231002X" not in output


def test_id_numbers_in_tracebacks_are_masked_too():
    handler = _console_handler()
    assert isinstance(handler, logging.StreamHandler)
    captured = io.StringIO()
    previous = handler.setStream(captured)
    try:
        try:
            raise ValueError("no person 330483198503090147")
        except ValueError:
            logging.getLogger("jiceng.tests.security").exception("lookup failed")
    finally:
        handler.setStream(previous)
    output = captured.getvalue()
    assert "ValueError: no person 330483********0147" in output
    assert "198503090147" not in output
