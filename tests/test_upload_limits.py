"""The upload limit of the pages that take files (`upload_limited`): it stops an oversized file
before the CSRF check reads the form, and the CSRF check still guards the page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jiceng.cases.models import Case
from jiceng.core.models import Person, User

pytestmark = pytest.mark.django_db


def _signed_in(user: User) -> tuple[Client, str]:
    """A browser that checks CSRF like a real one, signed in, with its CSRF token."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    browser.get(reverse("people-import"))
    return browser, browser.cookies["csrftoken"].value


def _counts() -> tuple[int, int, int]:
    return User.objects.count(), Person.objects.count(), Case.objects.count()


@pytest.mark.parametrize("page", ["people-import", "account-import", "case-report"])
def test_a_file_over_the_limit_is_refused_with_413_and_nothing_is_stored(users, settings, page):
    settings.UPLOAD_MAX_BYTES = 1024
    browser, token = _signed_in(users["admin"])
    before = _counts()
    response = browser.post(
        reverse(page),
        {
            "csrfmiddlewaretoken": token,
            "file": SimpleUploadedFile("big.csv", b"x" * 50_000),
            "photos": SimpleUploadedFile("big.jpg", b"x" * 50_000),
        },
    )
    assert response.status_code == 413
    assert _counts() == before


@pytest.mark.parametrize("page", ["people-import", "account-import", "case-report"])
def test_an_upload_without_the_csrf_token_is_refused(users, page):
    browser, _token = _signed_in(users["admin"])
    before = _counts()
    response = browser.post(
        reverse(page), {"file": SimpleUploadedFile("people.csv", b"name,id_number\n")}
    )
    assert response.status_code == 403
    assert _counts() == before
