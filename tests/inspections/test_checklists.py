"""The county's checklist editor: administrators only; an answered item is deactivated, never
deleted; an unanswered one is deleted."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiceng.inspections.models import ChecklistItem
from jiceng.inspections.selectors import checklist_with_items, checklists
from jiceng.inspections.services import checklist_save, inspection_record

from .conftest import ITEMS, answers


def test_only_county_administrators_edit_checklists(users, checklist):
    with pytest.raises(PermissionDenied):
        checklist_save(users["wutong"], "test-community", ITEMS)


def test_items_left_out_are_deleted_or_deactivated(users, checklist):
    inspection_record(
        actor=users["wutong"],
        checklist="test-community",
        target="place:330483001001",
        findings=answers(),
    )
    edited = [
        {**ITEMS[1], "text": "无飞线充电、无室内充电"},
        {"code": "extinguisher", "text": "灭火器在有效期内", "category": "fire"},
    ]
    checklist_save(users["admin"], "test-community", edited)
    items = {i.code: i for i in ChecklistItem.objects.filter(checklist=checklist)}
    assert items["exits"].is_active is False  # answered: kept, inactive
    assert items["charging"].text == "无飞线充电、无室内充电" and items["charging"].position == 0
    assert items["extinguisher"].is_active
    current = checklist_with_items("test-community")
    assert [i.code for i in current.item_list] == ["charging", "extinguisher"]
    # an unanswered item left out is gone
    checklist_save(users["admin"], "test-community", edited[:1])
    assert not ChecklistItem.objects.filter(code="extinguisher").exists()
    assert "test-community" in [c.code for c in checklists(module="ebike")]


@pytest.mark.parametrize(
    "items",
    [
        [],
        [{"code": "Bad Code", "text": "x"}],
        [{"code": "a", "text": ""}],
        [{"code": "a", "text": "x"}, {"code": "a", "text": "y"}],
        [{"code": "a", "text": "x", "severity": "huge"}],
    ],
)
def test_bad_items_change_nothing(users, checklist, items):
    with pytest.raises(ValidationError):
        checklist_save(users["admin"], "test-community", items)
    assert ChecklistItem.objects.filter(checklist=checklist, is_active=True).count() == 3


def test_a_new_checklist_needs_a_name_and_module(users, checklist):
    with pytest.raises(ValidationError):
        checklist_save(users["admin"], "test-kiosk", ITEMS)
    shop = checklist_save(users["admin"], "test-kiosk", ITEMS, name="报亭检查", module="ebike")
    assert shop.deadline_days == {"major": 3, "minor": 7}
