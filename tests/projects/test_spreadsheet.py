"""Projects exported to Excel come back in by import; a bad row refuses the whole file."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jiceng.projects.models import Project
from tests.table_counts import table_counts


def test_the_export_imports_again_and_a_bad_row_stores_nothing(project_setup, plant):
    client = Client()
    client.force_login(project_setup["wutong"])
    response = client.get("/projects/export.xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    page = client.post("/projects/import/", {"file": SimpleUploadedFile("projects.xlsx", content)})
    assert page.status_code == 302
    targets = Project.objects.filter(name=plant.name).values_list("production_target", flat=True)
    assert list(targets) == [plant.production_target] * 2
    before = table_counts()
    bad = (
        "name,stage,region,kind,production_target\n"
        "竹海山地度假村,signed,330483001,infrastructure,2027-06-30\n"
        "某项目,nowhere,330483001,industrial,2027-06-30\n"
    ).encode()
    page = client.post("/projects/import/", {"file": SimpleUploadedFile("p.csv", bad)})
    assert page.status_code == 200 and "line 3" in page.content.decode().replace(
        "第 3 行", "line 3"
    )
    assert table_counts() == before
