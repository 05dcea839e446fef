"""Uploaded files (case photos, safety-check photos) as responses: the uploads folder has no
public address, so a view that has checked the user's scope hands the file over with these
headers."""

from __future__ import annotations

from django.core.files import File
from django.http import FileResponse


def private_file_response(file: File, *, content_type: str, filename: str) -> FileResponse:
    """The file shown in the browser, never sniffed as another type, cached by this browser
    only."""
    response = FileResponse(file.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=3600"
    return response
