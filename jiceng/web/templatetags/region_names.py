"""Region names in the page's language: `{% load region_names %}{{ region|region_name }}`."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from jiceng.core.models import Region

register = template.Library()


def localized_region_name(region: Region) -> str:
    """The English name on English pages when the region has one, the Chinese name otherwise."""
    language = get_language() or ""
    if language.startswith("en") and region.name_en:
        return region.name_en
    return region.name


@register.filter
def region_name(region: Region | None) -> str:
    return localized_region_name(region) if region is not None else ""
