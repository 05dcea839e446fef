"""The three exchanges between two live deployments on loopback (桐乡 330483 and 吴兴 330502),
each with its own database and keys, peered through the command line: person status (互通),
assessment recognition with a superseding re-assessment (互认), and institution sharing (互享)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from jiceng.core.identifiers import make_resident_id
from tests.ltc.scores import sheet

DESIGNATE = """
from jiceng.core.identifiers import make_credit_code
from jiceng.ltc.services.institutions import institution_create
institution_create(
    actor=None, name="梧桐康养护理院", credit_code=make_credit_code("5", "2", "330483", 77),
    region_code="330483001", care_modes=["institution", "visit"], beds=90, capacity=20,
)
print("ok")
"""


def test_person_status_recognition_and_institutions_between_two_live_deployments(
    peered_deployments,
):
    tongxiang, wuxing = peered_deployments  # shared with tests/federation: count what is new
    refused = (tongxiang.count_rows("federation_refusal"), wuxing.count_rows("federation_refusal"))
    number = make_resident_id("330483", date(1938, 6, 1), 321, "F")
    masked = number[:6] + "********" + number[14:]
    today = timezone.localdate().isoformat()

    # 桐乡 takes in an application (the person is insured there) and records an assessment.
    status, application = tongxiang.api(
        "POST", "/api/v1/ltc/applications",
        {"person_id_number": number, "name": "沈阿婆", "care_mode": "institution"},
    )  # fmt: skip
    assert status == 201, application
    status, first = tongxiang.api(
        "POST", "/api/v1/ltc/assessments",
        {"person_id_number": number, "assessed_on": today, "assessor": "评估员甲",
         "scores": sheet(40, 2, 12)},
    )  # fmt: skip
    assert status == 201, first
    assert first["level"] == 4  # ADL 40 重度 × cognition 2 中度

    # 互通: 吴兴 asks 桐乡 about her; 桐乡 answers the agreed fields and logs the query.
    status, answer = wuxing.api(
        "POST", "/api/v1/ltc/person-status",
        {"peer": "330483", "id_number": number, "purpose": "入住吴兴护理机构前核验"},
    )  # fmt: skip
    assert status == 200, answer
    assert answer == {"insured": True, "level": 4, "valid_until": first["valid_until"]}
    assert tongxiang.count_rows("ltc_statusquery") == 1
    assert wuxing.count_rows("ltc_statusquery") == 1

    # 互认: 桐乡 shares the assessment; 吴兴 recognises it.
    status, shared = tongxiang.api(
        "POST", f"/api/v1/ltc/assessments/{first['id']}/share", {"peer": "330502"}
    )
    assert status == 200, shared
    status, recognitions = wuxing.api("GET", "/api/v1/ltc/recognitions")
    assert status == 200
    (recognition,) = recognitions
    assert recognition["id"] == shared["recognition_id"]
    assert (recognition["person_masked"], recognition["level"], recognition["origin_region"]) == (
        masked, 4, "330483"
    )  # fmt: skip
    assert recognition["valid_until"] == first["valid_until"]
    assert number not in str(recognitions)

    # A re-assessment in 桐乡 supersedes the first; shared, it replaces the recognition.
    status, second = tongxiang.api(
        "POST", "/api/v1/ltc/assessments",
        {"person_id_number": number, "assessed_on": today, "assessor": "评估员乙",
         "scores": sheet(20, 1, 12)},
    )  # fmt: skip
    assert status == 201 and second["supersedes"] == first["id"] and second["level"] == 5
    status, _refused = tongxiang.api(
        "POST", f"/api/v1/ltc/assessments/{first['id']}/share", {"peer": "330502"}
    )
    assert status == 400  # superseded: not shared again
    status, shared = tongxiang.api(
        "POST", f"/api/v1/ltc/assessments/{second['id']}/share", {"peer": "330502"}
    )
    assert status == 200, shared
    _status, recognitions = wuxing.api("GET", "/api/v1/ltc/recognitions")
    by_status = {r["status"]: r for r in recognitions}
    assert by_status["active"]["level"] == 5 and by_status["replaced"]["level"] == 4

    # 互享: 桐乡 designates an institution; 吴兴 imports the signed list on demand.
    assert tongxiang.python(DESIGNATE).strip() == "ok"
    status, imported = wuxing.api(
        "POST", "/api/v1/ltc/federation/institutions/import", {"peer": "330483"}
    )
    assert status == 200, imported
    assert imported == {"peer": "330483", "listed": 1}
    assert wuxing.count_rows("ltc_sharedinstitution") == 1

    # 桐乡 keeps a record of each share (the refused one was never sent).
    assert tongxiang.count_rows("ltc_assessmentshare") == 2

    # Nothing was refused on either side.
    now = (tongxiang.count_rows("federation_refusal"), wuxing.count_rows("federation_refusal"))
    assert now == refused
