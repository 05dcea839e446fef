"""`--dist loadgroup` with this pytest: tests marked `xdist_group(NAME)` go to one worker.

xdist (3.8) groups a test by appending `@NAME` to its node id on the worker; it writes the
attribute that held the node id before pytest 9, so with pytest 9 the suffix is lost and the
tests of a group are dealt out like any others (two pairs of live servers, two seeded
counties). This hook appends the suffix itself when xdist's did not take; it does nothing
without `--dist loadgroup`, or once xdist's own suffix works again.
"""

from __future__ import annotations

import pytest
from _pytest.nodeid import coerce_node_id


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not getattr(config.option, "loadgroup", False):  # set on xdist workers only
        return
    for item in items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})  # fmt: skip
        nodeid = item.nodeid
        if names and nodeid.rfind("@") <= nodeid.rfind("]"):
            item._id = coerce_node_id(f"{nodeid}@{'_'.join(names)}")  # type: ignore[attr-defined]
