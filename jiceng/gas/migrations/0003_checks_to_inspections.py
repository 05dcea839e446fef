"""Safety checks move onto the inspections engine: the gas_site checklist from
jiceng/reference/gas-checklist.json, and every safety check, hazard and photo copied into the
engine's tables (an inspection of target "gas_site:<site id>", a finding per answered item — a
hazard is a failed finding with its grade, deadline, status and case — and the photos).
Reversible: going back copies the gas inspections into the old tables and removes them from
the engine. The old tables are dropped by the next migration."""

from django.db import migrations

KIND = "gas_site"
CHECKLIST_FILE = "gas-checklist.json"


def forward(apps, schema_editor):
    from jiceng.inspections.reference_data import checklists_load

    checklists_load(CHECKLIST_FILE, apps)
    checklist = apps.get_model("inspections", "Checklist").objects.get(code=KIND)
    items = {
        i.code: i
        for i in apps.get_model("inspections", "ChecklistItem").objects.filter(checklist=checklist)
    }
    Inspection = apps.get_model("inspections", "Inspection")
    Finding = apps.get_model("inspections", "Finding")
    Photo = apps.get_model("inspections", "InspectionPhoto")
    SafetyCheck = apps.get_model("gas", "SafetyCheck")
    Hazard = apps.get_model("gas", "Hazard")
    SafetyCheckPhoto = apps.get_model("gas", "SafetyCheckPhoto")
    hazards_of: dict = {}
    loose = []
    for hazard in Hazard.objects.order_by("id").iterator():
        if hazard.check_record_id is None:
            loose.append(hazard)
        else:
            hazards_of.setdefault(hazard.check_record_id, []).append(hazard)
    inspection_of: dict = {}

    def finding(inspection, code, *, ok, note="", hazard=None):
        item = items.get(code)
        if item is None:
            return None
        return Finding(
            inspection=inspection,
            item=item,
            target_kind=KIND,
            target_id=inspection.target_id,
            ok=ok,
            note=(note or "")[:300],
            severity="" if ok else hazard.grade,
            status="ok" if ok else hazard.status,
            deadline=None if ok else hazard.deadline,
            case_id=None if ok else hazard.case_id,
            rectified_at=None if ok else hazard.rectified_at,
        )

    batch = []
    for check in SafetyCheck.objects.order_by("checked_at", "id").iterator():
        inspection = Inspection.objects.create(
            checklist=checklist,
            target_kind=KIND,
            target_id=str(check.site_id),
            target_label=f"urn:jiceng:site:{check.site_id}",
            region_id=check.region_id,
            inspected_at=check.checked_at,
            inspector_id=check.inspector_id,
            note=check.note,
        )
        inspection_of[check.pk] = inspection
        found = {h.item: h for h in hazards_of.get(check.pk, [])}
        for code, answer in (check.answers or {}).items():
            if code in found:
                continue
            row = finding(inspection, code, ok=True, note=(answer or {}).get("note", ""))
            if row is not None:
                batch.append(row)
        for code, hazard in found.items():
            row = finding(inspection, code, ok=False, note=hazard.description, hazard=hazard)
            if row is not None:
                batch.append(row)
        if len(batch) > 2000:
            Finding.objects.bulk_create(batch)
            batch = []
    for hazard in loose:
        site = apps.get_model("gas", "UserSite").objects.get(pk=hazard.site_id)
        inspection = Inspection.objects.create(
            checklist=checklist,
            target_kind=KIND,
            target_id=str(hazard.site_id),
            target_label=f"urn:jiceng:site:{hazard.site_id}",
            region_id=site.region_id,
            inspected_at=hazard.found_at,
            note="",
        )
        row = finding(inspection, hazard.item, ok=False, note=hazard.description, hazard=hazard)
        if row is not None:
            batch.append(row)
    Finding.objects.bulk_create(batch)
    Photo.objects.bulk_create(
        [
            Photo(
                inspection=inspection_of[photo.check_record_id],
                token=photo.token,
                file=photo.file.name,
                content_type=photo.content_type,
                size=photo.size,
            )
            for photo in SafetyCheckPhoto.objects.all()
            if photo.check_record_id in inspection_of
        ]
    )


def backward(apps, schema_editor):
    from jiceng.inspections.reference_data import checklists_unload

    Inspection = apps.get_model("inspections", "Inspection")
    Finding = apps.get_model("inspections", "Finding")
    Photo = apps.get_model("inspections", "InspectionPhoto")
    SafetyCheck = apps.get_model("gas", "SafetyCheck")
    Hazard = apps.get_model("gas", "Hazard")
    SafetyCheckPhoto = apps.get_model("gas", "SafetyCheckPhoto")
    cases_used: set = set()
    for inspection in Inspection.objects.filter(target_kind=KIND).order_by("id").iterator():
        findings = list(Finding.objects.filter(inspection=inspection).select_related("item"))
        check = SafetyCheck.objects.create(
            site_id=int(inspection.target_id),
            region_id=inspection.region_id,
            checked_at=inspection.inspected_at,
            inspector_id=inspection.inspector_id,
            answers={f.item.code: {"ok": f.ok, "note": f.note} for f in findings},
            note=inspection.note,
        )
        for f in findings:
            if f.ok:
                continue
            case_id = f.case_id if f.case_id not in cases_used else None
            if case_id is not None:
                cases_used.add(case_id)
            Hazard.objects.create(
                check_record=check,
                site_id=int(inspection.target_id),
                item=f.item.code,
                grade=f.severity or "minor",
                description=f.note,
                deadline=f.deadline or inspection.inspected_at.date(),
                status="rectified" if f.status == "rectified" else "open",
                found_at=inspection.inspected_at,
                rectified_at=f.rectified_at,
                case_id=case_id,
            )
        for photo in Photo.objects.filter(inspection=inspection):
            SafetyCheckPhoto.objects.create(
                check_record=check,
                token=photo.token,
                file=photo.file.name,
                content_type=photo.content_type,
                size=photo.size,
            )
    Inspection.objects.filter(target_kind=KIND).delete()
    checklists_unload(CHECKLIST_FILE, apps)


class Migration(migrations.Migration):
    dependencies = [
        ("gas", "0002_scale_device"),
        ("inspections", "0001_initial"),
        ("cases", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
