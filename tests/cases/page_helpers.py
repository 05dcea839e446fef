"""Helpers of the case page tests: cases reported now, photos, htmx requests."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from jiceng.cases.models import Case
from jiceng.cases.services.intake import case_report

HTMX = {"HTTP_HX_REQUEST": "true"}
WUTONG_GRID = "330483001001001"
PUYUAN_GRID = "330483101001001"


def jpeg_bytes(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def report_now(user: Any, **overrides: Any) -> Case:
    """A case reported now (so that its deadline colour is green), in 梧桐's grid by default."""
    fields: dict[str, Any] = {
        "actor": user,
        "category": "ebike_charging",
        "description": "3号楼楼道飞线充电",
        "region_code": WUTONG_GRID,
        "attributes": {"place": "flying_lead"},
        "at": timezone.now(),
    }
    fields.update(overrides)
    return case_report(**fields)


def html(response: Any) -> str:
    return response.content.decode()
