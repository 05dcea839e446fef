"""Install the front-end libraries pinned in package-lock.json into jiceng/web/static/vendor/.

    python -m jiceng.web.assets install [--force] [--without-npm]

The libraries come from the npm registry at install time, never from the internet at run time.
With npm on the machine, `npm ci --ignore-scripts` installs exactly what the lock file pins;
without it, each tarball the lock file lists is downloaded and checked against its `integrity`
digest before it is unpacked. Either way only the files the pages load (VENDOR_FILES) are copied
into the vendor folder, which is not committed. A stamp in that folder records what was installed:
running the command again with the same lock file does nothing.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCK_FILE = REPO_ROOT / "package-lock.json"
NODE_MODULES = REPO_ROOT / "node_modules"
VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"
STAMP_NAME = ".installed"
DEFAULT_REGISTRY = "https://registry.npmjs.org"
DOWNLOAD_TIMEOUT_SECONDS = 120
DOWNLOAD_ATTEMPTS = 3

# (package, path in the package, path under vendor/). A path ending in "/" is a folder.
VENDOR_FILES: tuple[tuple[str, str, str], ...] = (
    ("htmx.org", "dist/htmx.min.js", "htmx/htmx.min.js"),
    ("htmx.org", "LICENSE", "htmx/LICENSE"),
    ("echarts", "dist/echarts.min.js", "echarts/echarts.min.js"),
    ("echarts", "LICENSE", "echarts/LICENSE"),
    ("jsqr", "dist/jsQR.js", "jsqr/jsQR.js"),
    ("jsqr", "LICENSE", "jsqr/LICENSE"),
    ("leaflet", "dist/leaflet.js", "leaflet/leaflet.js"),
    ("leaflet", "dist/leaflet.css", "leaflet/leaflet.css"),
    ("leaflet", "dist/images/", "leaflet/images/"),
    ("leaflet", "LICENSE", "leaflet/LICENSE"),
    (
        "leaflet.markercluster",
        "dist/leaflet.markercluster.js",
        "leaflet.markercluster/leaflet.markercluster.js",
    ),
    ("leaflet.markercluster", "dist/MarkerCluster.css", "leaflet.markercluster/MarkerCluster.css"),
    (
        "leaflet.markercluster",
        "dist/MarkerCluster.Default.css",
        "leaflet.markercluster/MarkerCluster.Default.css",
    ),
    ("leaflet.markercluster", "MIT-LICENCE.txt", "leaflet.markercluster/LICENSE"),
    # Noto Sans SC (TrueType outlines): the documents engine embeds subsets of it in PDFs.
    (
        "@expo-google-fonts/noto-sans-sc",
        "400Regular/NotoSansSC_400Regular.ttf",
        "fonts/NotoSansSC-Regular.ttf",
    ),
    (
        "@expo-google-fonts/noto-sans-sc",
        "700Bold/NotoSansSC_700Bold.ttf",
        "fonts/NotoSansSC-Bold.ttf",
    ),
    ("@expo-google-fonts/noto-sans-sc", "LICENSE_FONT", "fonts/OFL.txt"),
)

Download = Callable[[str], bytes]


class AssetInstallError(Exception):
    """The assets could not be installed; the message says why."""


@dataclass(frozen=True)
class LockedPackage:
    """One entry of package-lock.json's `packages`: where it goes and how to fetch it."""

    path: str  # "node_modules/leaflet", or a nested "node_modules/a/node_modules/b"
    name: str
    version: str
    resolved: str
    integrity: str


def locked_packages(
    lock: dict[str, object], registry: str = DEFAULT_REGISTRY
) -> list[LockedPackage]:
    """The packages a lock file (version 2 or 3) pins for production, in install order."""
    entries = lock.get("packages")
    if not isinstance(entries, dict):
        raise AssetInstallError("package-lock.json has no 'packages' (lockfileVersion 2 or 3)")
    packages = []
    for path, entry in sorted(entries.items()):
        if not path or not isinstance(entry, dict) or entry.get("dev") or entry.get("link"):
            continue
        name = path.rsplit("node_modules/", 1)[-1]
        version = str(entry.get("version", ""))
        integrity = str(entry.get("integrity", ""))
        if not version or not integrity:
            raise AssetInstallError(f"{path}: the lock file gives no version or integrity")
        resolved = str(entry.get("resolved") or "")
        if not resolved:
            basename = name.rsplit("/", 1)[-1]
            resolved = f"{registry.rstrip('/')}/{name}/-/{basename}-{version}.tgz"
        packages.append(LockedPackage(path, name, version, resolved, integrity))
    return packages


def integrity_matches(data: bytes, integrity: str) -> bool:
    """Whether `data` matches a Subresource-Integrity string such as npm writes ("sha512-…").

    Of several digests the strongest one decides; sha1 alone is not trusted.
    """
    digests: dict[str, list[str]] = {}
    for token in integrity.split():
        algorithm, _, value = token.partition("-")
        digests.setdefault(algorithm, []).append(value)
    for algorithm in ("sha512", "sha384", "sha256"):
        if algorithm in digests:
            actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
            return actual in digests[algorithm]
    return False


def unpack_tarball(data: bytes, destination: Path) -> None:
    """Unpack an npm tarball into `destination`, dropping its top folder ("package/").

    Only plain files and folders are unpacked; links, devices and paths that leave the
    destination refuse the whole tarball.
    """
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = tar.getmembers()
        for member in members:
            parts = PurePosixPath(member.name).parts[1:]
            if member.name.startswith("/") or ".." in parts:
                raise AssetInstallError(f"unsafe path in tarball: {member.name!r}")
            if not (member.isfile() or member.isdir()):
                raise AssetInstallError(f"tarball holds a link or device: {member.name!r}")
        for member in members:
            parts = PurePosixPath(member.name).parts[1:]
            if not parts:
                continue
            target = destination.joinpath(*parts)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            if source is None:  # pragma: no cover - isfile() members always have a body
                raise AssetInstallError(f"cannot read {member.name!r}")
            with source, target.open("wb") as out:
                shutil.copyfileobj(source, out)


def download_over_http(url: str) -> bytes:
    """Fetch a tarball, with a few tries for a flaky connection."""
    if not url.startswith("https://"):
        raise AssetInstallError(f"refusing to download over anything but https: {url}")
    last_error: Exception | None = None
    for attempt in range(DOWNLOAD_ATTEMPTS):
        try:
            with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:  # noqa: S310 - https only, checked above
                return bytes(response.read())
        except OSError as exc:
            last_error = exc
            time.sleep(2**attempt)
    raise AssetInstallError(f"could not download {url}: {last_error}")


def install_from_tarballs(
    packages: Iterable[LockedPackage], root: Path, download: Download = download_over_http
) -> None:
    """Download, verify and unpack every package under `root` (where node_modules/ goes).

    Everything is verified before anything is unpacked, so a bad tarball changes nothing.
    """
    fetched = []
    for package in packages:
        data = download(package.resolved)
        if not integrity_matches(data, package.integrity):
            raise AssetInstallError(
                f"{package.name}@{package.version}: the download does not match the lock "
                f"file's integrity digest ({package.resolved})"
            )
        fetched.append((package, data))
    for package, data in fetched:
        target = root / package.path
        if target.exists():
            shutil.rmtree(target)
        unpack_tarball(data, target)


def install_with_npm(npm: str, root: Path) -> None:
    command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    result = subprocess.run(command, cwd=root, check=False)  # noqa: S603 - fixed arguments
    if result.returncode != 0:
        raise AssetInstallError(f"`{' '.join(command)}` failed with exit code {result.returncode}")


def copy_vendor_files(
    node_modules: Path, vendor: Path, files: Iterable[tuple[str, str, str]] = VENDOR_FILES
) -> list[Path]:
    """Copy the files the pages load from node_modules/ into a fresh vendor folder."""
    staging = vendor.with_name(vendor.name + ".new")
    if staging.exists():
        shutil.rmtree(staging)
    copied: list[Path] = []
    for package, source_path, target_path in files:
        source = node_modules / package / source_path
        target = staging / target_path
        if source_path.endswith("/"):
            if not source.is_dir():
                raise AssetInstallError(f"{package} has no folder {source_path}")
            shutil.copytree(source, target)
            copied.extend(p for p in target.rglob("*") if p.is_file())
        else:
            if not source.is_file():
                raise AssetInstallError(f"{package} has no file {source_path}")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            copied.append(target)
    if vendor.exists():
        shutil.rmtree(vendor)
    staging.rename(vendor)
    return [vendor / p.relative_to(staging) for p in copied]


def stamp_for(lock_text: str, files: Iterable[tuple[str, str, str]] = VENDOR_FILES) -> str:
    """What an installation is of: the lock file and the list of copied files."""
    digest = hashlib.sha256(lock_text.encode())
    digest.update(json.dumps(list(files)).encode())
    return digest.hexdigest()


def is_installed(vendor: Path, stamp: str, files: Iterable[tuple[str, str, str]]) -> bool:
    stamp_file = vendor / STAMP_NAME
    if not stamp_file.is_file() or stamp_file.read_text().strip() != stamp:
        return False
    return all((vendor / target).exists() for _, _, target in files)


def install(
    *,
    root: Path = REPO_ROOT,
    vendor: Path = VENDOR_DIR,
    files: tuple[tuple[str, str, str], ...] = VENDOR_FILES,
    npm: str | None = None,
    use_npm: bool = True,
    force: bool = False,
    download: Download = download_over_http,
) -> bool:
    """Install the pinned assets; False when they were installed already (nothing done)."""
    lock_file = root / "package-lock.json"
    if not lock_file.is_file():
        raise AssetInstallError(f"{lock_file} is missing")
    lock_text = lock_file.read_text(encoding="utf-8")
    stamp = stamp_for(lock_text, files)
    if not force and is_installed(vendor, stamp, files):
        return False
    npm = npm or (shutil.which("npm") if use_npm else None)
    if npm:
        install_with_npm(npm, root)
    else:
        install_from_tarballs(locked_packages(json.loads(lock_text)), root, download)
    copy_vendor_files(root / "node_modules", vendor, files)
    (vendor / STAMP_NAME).write_text(stamp + "\n")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m jiceng.web.assets",
        description="Install the pinned front-end libraries into jiceng/web/static/vendor/.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("install", help="install (or check) the pinned front-end assets")
    p.add_argument("--force", action="store_true", help="install even if already installed")
    p.add_argument(
        "--without-npm", action="store_true", help="download the tarballs directly, not via npm"
    )
    args = parser.parse_args(argv)
    try:
        done = install(force=args.force, use_npm=not args.without_npm)
    except AssetInstallError as exc:
        print(f"assets: {exc}", file=sys.stderr)
        return 1
    print("assets: installed" if done else "assets: up to date", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
