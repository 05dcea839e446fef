"""An upload handler that stops reading an upload as soon as it passes settings.UPLOAD_MAX_BYTES.

Django writes a large upload to a temporary file before any view sees it; this handler stops
that early, whatever size the request announces, and marks the request so that the view can
say why the file is missing. `upload_limited` puts it in place for a view.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt, csrf_protect

# Room for the form's other parts (the CSRF token, the multipart boundaries).
_FORM_OVERHEAD = 64 * 1024


def upload_too_large(request: HttpRequest) -> bool:
    return bool(getattr(request, "upload_too_large", False))


def upload_limited(
    files: int = 1,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """A view whose uploads stop at `files` times settings.UPLOAD_MAX_BYTES (the view asks
    `upload_too_large`). The limit is put in place before the CSRF check, which reads the
    request's POST data (Django's documented order)."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            handler = UploadSizeLimit(request)
            handler.limit = settings.UPLOAD_MAX_BYTES * files
            request.upload_handlers = [handler, *request.upload_handlers]
            return protected(request, *args, **kwargs)

        return limited

    return decorate


class UploadSizeLimit(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = settings.UPLOAD_MAX_BYTES
        self.received = 0
        self.announced_too_large = False

    def _refuse(self) -> None:
        if self.request is not None:
            self.request.upload_too_large = True  # type: ignore[attr-defined]
        raise StopUpload(connection_reset=True)

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        self.announced_too_large = content_length > self.limit + _FORM_OVERHEAD

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.announced_too_large:
            self._refuse()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
