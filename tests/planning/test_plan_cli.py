"""`jiceng plan staffing` and `jiceng plan circle` on a small network built in the tests."""

from __future__ import annotations

from datetime import date

import pytest

from jiceng.cli import main
from jiceng.hall.models import SessionPlan
from jiceng.hall.services.travel import travel_model_set
from tests.planning.conftest import WEEK
from tests.registry_factories import make_person


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["plan", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_staffing_prints_the_forecast_windows_sessions_waits_and_roster(planned, capsys):
    hall = planned.network.wutong
    code, out, err = run(capsys, "staffing", "--hall", str(hall.pk), "--week", "2026-03-18")
    assert code == 0, err
    assert f"week of {WEEK:%Y-%m-%d}" in out  # a Wednesday plans its week from Monday
    assert "Mon 2026-03-16" in out and "Fri 2026-03-20" in out and "Sat 2026-03-21" not in out
    assert "forecast (80% band)  required  open  Erlang SL  sim wait  sim SL" in out
    assert "  08:30 " in out and "sessions:" in out and "simulated: mean wait" in out
    assert "Roster:" in out and "clerk2" in out
    assert "Meets the target in every staffable half hour (Erlang C): yes" in out
    assert not SessionPlan.objects.filter(valid_from=WEEK).exists()  # printing writes nothing


def test_staffing_finds_the_hall_by_its_points_code(planned, capsys):
    code, out, _err = run(capsys, "staffing", "--hall", "330483101-TC", "--week", "2026-03-16")
    assert code == 0 and "濮院镇便民服务中心医保大厅" in out


def test_staffing_with_apply_writes_the_session_plan_and_says_what_changed(planned, capsys):
    hall = planned.network.wutong
    code, out, err = run(
        capsys, "staffing", "--hall", str(hall.pk), "--week", "2026-03-16", "--apply"
    )
    assert code == 0, err
    assert "Applied from 2026-03-16:" in out and "sessions added" in out
    assert SessionPlan.objects.filter(window__hall=hall, valid_from=WEEK).exists()
    assert not SessionPlan.objects.filter(
        window__hall=planned.network.puyuan, valid_from=WEEK
    ).exists()
    code, out, _err = run(
        capsys, "staffing", "--hall", str(hall.pk), "--week", "2026-03-16", "--apply"
    )
    assert code == 0 and "nothing changed" in out


def test_an_unknown_hall_is_a_usage_error_and_writes_nothing(planned, capsys):
    before = SessionPlan.objects.count()
    code, out, err = run(capsys, "staffing", "--hall", "9999", "--week", "2026-03-16", "--apply")
    assert code == 2 and out == ""
    assert "--hall" in err and "9999" in err
    code, _out, err = run(capsys, "staffing", "--hall", "no such hall", "--week", "2026-03-16")
    assert code == 2 and "--hall" in err
    assert SessionPlan.objects.count() == before


@pytest.mark.parametrize(
    "args",
    [
        ["staffing", "--hall", "1", "--week", "2026-13-01"],
        ["staffing", "--hall", "1"],
        ["staffing", "--week", "2026-03-16"],
        ["circle"],
        ["circle", "--item", "YB15", "--minutes", "ten"],
        ["circle", "--item", "YB15", "--p", "-1"],
        ["nonsense"],
    ],
)
def test_malformed_arguments_exit_with_code_2_and_a_message(db, capsys, args):
    with pytest.raises(SystemExit) as exited:
        main(["plan", *args])
    assert exited.value.code == 2
    assert "usage: jiceng plan" in capsys.readouterr().err


@pytest.fixture
def circle(network):
    travel_model_set(
        actor=None,
        valid_from=date(2026, 1, 1),
        detour_factor=1.0,
        speed_kmh=6.0,
        threshold_minutes=10,
    )
    for i in range(3):
        make_person(f"虎啸村民{i}", "330483001201", 200 + i)
    return network


def test_circle_prints_the_uncovered_villages_and_the_new_points(circle, capsys):
    code, out, err = run(capsys, "circle", "--item", "YB15")
    assert code == 0, err
    assert "Service circle of YB15" in out and "10 minutes" in out
    assert "Uncovered villages today: 2 (3 residents)" in out
    assert "330483001201  虎啸村" in out and "330483101201  新联村" in out
    assert "Fewest new points closing the gap: 2" in out
    assert "虎啸村 village committee" in out and "新联村 village committee" in out
    assert "After: 4 of 4 villages covered" in out


def test_circle_with_p_and_minutes(circle, capsys):
    code, out, _err = run(capsys, "circle", "--item", "yb15", "--p", "1", "--minutes", "30")
    assert code == 0
    assert "30 minutes" in out and "Uncovered villages today: 0" in out
    code, out, _err = run(capsys, "circle", "--item", "YB15", "--p", "1")
    assert code == 0 and "Best 1 new points" in out and "1. 虎啸村 village committee" in out


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--item", "NOPE"], "--item"),
        (["--item", "YB15", "--minutes", "0"], "--minutes"),
        (["--item", "YB15", "--p", "0"], "--p"),
        (["--item", "YB15", "--region", "999999"], "--region"),
    ],
)
def test_bad_circle_arguments_name_the_argument(circle, capsys, args, named):
    code, out, err = run(capsys, "circle", *args)
    assert code == 2 and out == "" and named in err
