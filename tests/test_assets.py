"""Installing the pinned front-end assets: the download fallback, checked on local tarballs."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from jiceng.web import assets

FILES = (
    ("demo-lib", "dist/demo.min.js", "demo/demo.min.js"),
    ("demo-lib", "dist/images/", "demo/images/"),
)


def _tarball(files: dict[str, bytes], top: str = "package") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _project(tmp_path: Path, tarball: bytes, integrity: str | None = None) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    lock = {
        "name": "demo",
        "lockfileVersion": 3,
        "packages": {
            "": {"dependencies": {"demo-lib": "1.0.0"}},
            "node_modules/demo-lib": {
                "version": "1.0.0",
                "resolved": "https://registry.example/demo-lib/-/demo-lib-1.0.0.tgz",
                "integrity": integrity or _integrity(tarball),
            },
            "node_modules/dev-only": {
                "version": "2.0.0",
                "resolved": "https://registry.example/dev-only/-/dev-only-2.0.0.tgz",
                "integrity": "sha512-AAAA",
                "dev": True,
            },
        },
    }
    (root / "package-lock.json").write_text(json.dumps(lock))
    return root


class LocalTarballs:
    """Serves tarballs from memory in place of the network and records what was asked for."""

    def __init__(self, tarballs: dict[str, bytes]):
        self.tarballs = tarballs
        self.requested: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.requested.append(url)
        return self.tarballs[url]


DEMO_URL = "https://registry.example/demo-lib/-/demo-lib-1.0.0.tgz"
DEMO_TARBALL = _tarball(
    {
        "package.json": b'{"name": "demo-lib"}',
        "dist/demo.min.js": b"console.log('demo');",
        "dist/images/icon.png": b"\x89PNG",
        "src/big-source-file.js": b"// not copied",
    }
)


def test_the_fallback_installs_verified_tarballs_and_copies_only_the_listed_files(tmp_path):
    root = _project(tmp_path, DEMO_TARBALL)
    vendor = tmp_path / "static" / "vendor"
    download = LocalTarballs({DEMO_URL: DEMO_TARBALL})

    assert assets.install(root=root, vendor=vendor, files=FILES, use_npm=False, download=download)

    assert download.requested == [DEMO_URL]  # the dev-only package is not fetched
    assert (vendor / "demo" / "demo.min.js").read_bytes() == b"console.log('demo');"
    assert (vendor / "demo" / "images" / "icon.png").read_bytes() == b"\x89PNG"
    assert not (vendor / "demo" / "big-source-file.js").exists()
    assert (root / "node_modules" / "demo-lib" / "package.json").is_file()
    copied = sorted(p.relative_to(vendor).as_posix() for p in vendor.rglob("*") if p.is_file())
    assert copied == [assets.STAMP_NAME, "demo/demo.min.js", "demo/images/icon.png"]


def test_a_second_install_with_the_same_lock_file_does_nothing(tmp_path):
    root = _project(tmp_path, DEMO_TARBALL)
    vendor = tmp_path / "vendor"
    download = LocalTarballs({DEMO_URL: DEMO_TARBALL})
    assets.install(root=root, vendor=vendor, files=FILES, use_npm=False, download=download)

    again = assets.install(root=root, vendor=vendor, files=FILES, use_npm=False, download=download)

    assert again is False
    assert download.requested == [DEMO_URL]


def test_a_changed_lock_file_or_a_missing_file_installs_again(tmp_path):
    root = _project(tmp_path, DEMO_TARBALL)
    vendor = tmp_path / "vendor"
    download = LocalTarballs({DEMO_URL: DEMO_TARBALL})
    assets.install(root=root, vendor=vendor, files=FILES, use_npm=False, download=download)

    (vendor / "demo" / "demo.min.js").unlink()
    assert assets.install(root=root, vendor=vendor, files=FILES, use_npm=False, download=download)
    lock = root / "package-lock.json"
    lock.write_text(lock.read_text() + "\n")
    assert assets.install(root=root, vendor=vendor, files=FILES, use_npm=False, download=download)
    assert len(download.requested) == 3


def test_a_tarball_that_does_not_match_its_integrity_is_refused_and_changes_nothing(tmp_path):
    root = _project(tmp_path, DEMO_TARBALL, integrity=_integrity(b"something else"))
    vendor = tmp_path / "vendor"

    with pytest.raises(assets.AssetInstallError, match="integrity"):
        assets.install(
            root=root,
            vendor=vendor,
            files=FILES,
            use_npm=False,
            download=LocalTarballs({DEMO_URL: DEMO_TARBALL}),
        )

    assert not (root / "node_modules").exists()
    assert not vendor.exists()


def test_a_tarball_with_a_path_leaving_its_folder_is_refused(tmp_path):
    evil = _tarball({"../../escaped.js": b"boom"})
    with pytest.raises(assets.AssetInstallError, match="unsafe path"):
        assets.unpack_tarball(evil, tmp_path / "out")
    assert not (tmp_path / "escaped.js").exists()


def test_a_tarball_with_a_link_is_refused(tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        link = tarfile.TarInfo("package/passwd")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tar.addfile(link)
    with pytest.raises(assets.AssetInstallError, match="link"):
        assets.unpack_tarball(buffer.getvalue(), tmp_path / "out")


def test_integrity_strings_use_their_strongest_digest():
    data = b"payload"
    sha512 = _integrity(data)
    sha1 = "sha1-" + base64.b64encode(hashlib.sha1(data).digest()).decode()  # noqa: S324 - a weak digest on purpose
    assert assets.integrity_matches(data, sha512)
    assert assets.integrity_matches(data, f"{sha1} {sha512}")
    assert not assets.integrity_matches(b"other", sha512)
    assert not assets.integrity_matches(data, sha1)  # sha1 alone is not trusted


def test_a_lock_entry_without_a_resolved_url_is_fetched_from_the_registry():
    lock = {
        "packages": {
            "": {},
            "node_modules/@scope/lib": {"version": "1.2.3", "integrity": "sha512-x"},
            "node_modules/leaflet": {"version": "1.9.4", "integrity": "sha512-y"},
        }
    }
    urls = {p.name: p.resolved for p in assets.locked_packages(lock)}
    assert urls == {
        "@scope/lib": "https://registry.npmjs.org/@scope/lib/-/lib-1.2.3.tgz",
        "leaflet": "https://registry.npmjs.org/leaflet/-/leaflet-1.9.4.tgz",
    }


def test_the_project_lock_file_pins_the_libraries_the_pages_load():
    lock = json.loads((assets.REPO_ROOT / "package-lock.json").read_text())
    packages = {p.name: p for p in assets.locked_packages(lock)}
    assert packages["htmx.org"].version.startswith("2.0.")
    assert packages["leaflet"].version == "1.9.4"
    assert packages["leaflet.markercluster"].version == "1.5.3"
    assert packages["echarts"].version.split(".")[0] in {"5", "6"}
    for package in packages.values():
        assert package.integrity.startswith("sha512-")
        assert package.resolved.startswith("https://")
    assert {name for name, _source, _target in assets.VENDOR_FILES} <= set(packages)


def test_npm_is_used_when_it_is_there(tmp_path, monkeypatch):
    root = _project(tmp_path, DEMO_TARBALL)
    calls = []

    def fake_npm_ci(npm: str, where: Path) -> None:
        calls.append((npm, where))
        assets.unpack_tarball(DEMO_TARBALL, where / "node_modules" / "demo-lib")

    monkeypatch.setattr(assets, "install_with_npm", fake_npm_ci)
    assets.install(root=root, vendor=tmp_path / "vendor", files=FILES, npm="/usr/bin/npm")
    assert calls == [("/usr/bin/npm", root)]
    assert (tmp_path / "vendor" / "demo" / "demo.min.js").is_file()
