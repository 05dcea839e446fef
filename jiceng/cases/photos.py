"""Photos of cases: checked by content (JPEG, PNG or WebP images only), size-limited, re-encoded
(which drops EXIF metadata such as the camera's GPS track) and stored under the data folder."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
MAX_PHOTOS = 6
MAX_EDGE = 2560
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class CheckedPhoto:
    content: bytes
    extension: str
    content_type: str
    width: int
    height: int
    original_name: str


def check_photos(files: list[UploadedFile]) -> list[CheckedPhoto]:
    """Validate every photo before anything is written; the first bad one raises ValidationError."""
    if len(files) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %d photos.") % MAX_PHOTOS})
    return [check_photo(f) for f in files]


def check_photo(upload: UploadedFile) -> CheckedPhoto:
    name = upload.name or "photo"
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            {
                "photos": _("%(name)s is larger than %(mb).0f MB.")
                % {"name": name, "mb": limit / 2**20}
            }
        )
    raw = upload.read(limit + 1)
    if len(raw) > limit:
        raise ValidationError(
            {
                "photos": _("%(name)s is larger than %(mb).0f MB.")
                % {"name": name, "mb": limit / 2**20}
            }
        )
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format
            if kind not in ACCEPTED_FORMATS:
                raise ValidationError({"photos": _("%s is not a JPEG, PNG or WebP image.") % name})
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError({"photos": _("%s has too many pixels.") % name})
            probe.verify()
        with Image.open(io.BytesIO(raw)) as opened:
            image: Image.Image = ImageOps.exif_transpose(opened)
            image.thumbnail((MAX_EDGE, MAX_EDGE))
            if kind == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            save_options = {"quality": 85} if kind in ("JPEG", "WEBP") else {"optimize": True}
            image.save(out, format=kind, **save_options)
            width, height = image.size
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"photos": _("%s is not a readable image.") % name}) from None
    extension, content_type = ACCEPTED_FORMATS[kind]
    return CheckedPhoto(out.getvalue(), extension, content_type, width, height, name)


def photo_content(photo: CheckedPhoto) -> tuple[str, ContentFile[bytes]]:
    token = secrets.token_urlsafe(12)
    return token, ContentFile(photo.content, name=f"{token}.{photo.extension}")
