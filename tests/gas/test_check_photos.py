"""Photos of safety checks: shown on the site page to those who may see the site, served by a
login-required page through the region scope, never by a public media URL or on the QR page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from jiceng.inspections.models import InspectionPhoto

CHECKLIST = ("hose", "regulator", "valve", "ventilation", "gas_alarm", "cylinders", "storage")


def jpeg(name: str = "hose.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def photo(network, users, client, settings, tmp_path) -> InspectionPhoto:
    """A safety check of 庆丰小吃店 with one photo, recorded on the check page by 梧桐's officer."""
    settings.MEDIA_ROOT = tmp_path
    client.force_login(users["wutong"])
    form: dict[str, object] = {f"item-{item}": "ok" for item in (*CHECKLIST, "kitchen")}
    form["item-hose"], form["note-hose"] = "minor", "软管老化"
    form["photos"] = [jpeg()]
    answer = client.post(reverse("gas-check", args=[network.site.pk]), form)
    assert answer.status_code == 302
    client.logout()
    return InspectionPhoto.objects.select_related("inspection").get()


def test_an_officer_of_the_sites_town_sees_the_photo_on_the_site_page(
    network, users, client, photo
):
    client.force_login(users["wutong"])
    page = client.get(reverse("gas-site", args=[network.site.pk])).content.decode()
    url = reverse("gas-check-photo", args=[photo.token])
    assert f'<a href="{url}"' in page
    assert f'<img src="{url}"' in page
    assert "/media/" not in page and photo.file.name not in page

    image = client.get(url)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert "private" in image["Cache-Control"]
    with Image.open(io.BytesIO(b"".join(image.streaming_content))) as shown:
        assert shown.format == "JPEG" and shown.size == (64, 48)


def test_the_county_sees_the_photo_and_another_towns_user_gets_404(users, client, photo):
    url = reverse("gas-check-photo", args=[photo.token])
    client.force_login(users["admin"])
    assert client.get(url).status_code == 200
    client.force_login(users["puyuan"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("gas-check-photo", args=["no-such-token"])).status_code == 404


def test_without_a_login_the_photo_is_not_served(client, photo):
    answer = client.get(reverse("gas-check-photo", args=[photo.token]))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("login"))
    assert client.get(f"/media/{photo.file.name}").status_code == 404


def test_the_public_scan_page_shows_no_photo(network, client, photo):
    page = client.get(reverse("gas-public-site", args=[network.site.site.qr_token]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "data-public-site" in text
    assert photo.token not in text
    assert "/gas/checks/photos/" not in text
