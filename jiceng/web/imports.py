"""The one page flow of a spreadsheet import: the file form, the importer called with the file,
and the answer (what was created, or each problem by row, with nothing imported). The view is
decorated with `upload_limited()` (jiceng/web/registries/upload_limit.py); the page's template
includes web/_import_form.html for the form and the problems."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from jiceng.core.services.regions import ImportRefused
from jiceng.web.registries.upload_limit import upload_too_large

Importer = Callable[[str, bytes], Any]


def import_page(
    request: HttpRequest,
    *,
    form_class: type[forms.Form],
    importer: Importer,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """Render the import page; on POST, call `importer(filename, content)` with the uploaded
    file. Its result is shown as `created`; an `ImportRefused` as `problems` (400), a file over
    the limit as one problem (413), an invalid form with its errors (400)."""
    page: dict[str, Any] = {
        **context,
        "max_mb": settings.UPLOAD_MAX_BYTES / 1024 / 1024,
        "created": None,
        "problems": [],
    }
    status = 200
    form = form_class()
    if request.method == "POST":
        bound = form_class(request.POST, request.FILES)
        if upload_too_large(request):
            page["problems"] = [(0, _("The file is larger than the upload limit."))]
            status = 413
        elif not bound.is_valid():
            form, status = bound, 400
        else:
            upload = bound.cleaned_data["file"]
            try:
                page["created"] = importer(upload.name, upload.read())
            except ImportRefused as exc:
                page["problems"] = exc.problems
                status = 400
    page["form"] = form
    return render(request, template, page, status=status)
