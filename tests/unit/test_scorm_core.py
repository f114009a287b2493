"""SCORM's pure rules: the manifest, the checks on the zip (paths, zip bombs, launch files),
storage keys, and reading the runtime's data."""

from __future__ import annotations

import io
import zipfile

import pytest

from mooc.scorm.core import runtime
from mooc.scorm.core.archive import Limits, PackageRefused, check_package, storage_key
from mooc.scorm.core.manifest import ManifestError, parse_manifest
from tests.scorm_packages import build_package, build_zip, manifest

LIMITS = Limits(max_bytes=5 * 1024 * 1024)


def _check(data: bytes, limits: Limits = LIMITS):  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return check_package(archive, limits)


@pytest.mark.parametrize(("version", "edition"), [("1.2", "1.2"), ("2004", "2004 4th Edition")])
def test_a_manifest_gives_its_version_title_and_scos_in_order(version: str, edition: str) -> None:
    xml = manifest(
        version, "Chuyển động", [("a", "Phần 1", "a/index.html"), ("b", "Phần 2", "b/x.html?p=1")]
    )
    found = parse_manifest(xml.encode())
    assert (found.version, found.edition, found.title) == (version, edition, "Chuyển động")
    assert [(s.identifier, s.title, s.href) for s in found.scos] == [
        ("a", "Phần 1", "a/index.html"),
        ("b", "Phần 2", "b/x.html?p=1"),
    ]
    assert found.scos[1].path == "b/x.html"


def test_assets_are_not_launched_and_xml_base_is_joined() -> None:
    xml = b"""<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
      xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
      <organizations default="o"><organization identifier="o"><title>T</title>
        <item identifier="i1" identifierref="r1"><title>Asset</title></item>
        <item identifier="i2" identifierref="r2" parameters="?x=1"><title>SCO</title></item>
      </organization></organizations>
      <resources xml:base="content/">
        <resource identifier="r1" adlcp:scormType="asset" href="pic.html"/>
        <resource identifier="r2" adlcp:scormType="sco" href="sco.html"/>
      </resources></manifest>"""
    found = parse_manifest(xml)
    assert found.version == "2004"
    assert [(s.identifier, s.href) for s in found.scos] == [("i2", "content/sco.html?x=1")]


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        (b"<manifest", "not well-formed"),
        (b"<other/>", "no <manifest>"),
        (
            b'<!DOCTYPE m [<!ENTITY e "x">]><manifest>&e;</manifest>',
            "entities",
        ),
        (
            b'<!DOCTYPE m [<!ENTITY e SYSTEM "http://example.test/x">]><manifest>&e;</manifest>',
            "entities",
        ),
        (b"<manifest><resources/></manifest>", "no launchable SCO"),
    ],
)
def test_bad_manifests_are_refused_with_the_reason(xml: bytes, reason: str) -> None:
    with pytest.raises(ManifestError, match=reason):
        parse_manifest(xml)


def test_a_good_package_is_checked_with_its_files_and_size() -> None:
    package = _check(build_package("2004", scos=[("a", "A"), ("b", "B")]))
    assert package.manifest.version == "2004"
    assert {f.filename for f in package.files} == {
        "imsmanifest.xml",
        "a/index.html",
        "a/style.css",
        "b/index.html",
        "b/style.css",
    }
    assert package.size == sum(f.file_size for f in package.files)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.html", "leaves the package"),
        ("a/../../evil.html", "leaves the package"),
        ("/etc/passwd", "absolute"),
        ("C:/x.html", "absolute"),
        ("a\\b.html", "backslash"),
    ],
)
def test_paths_leaving_the_package_are_refused(name: str, reason: str) -> None:
    data = build_package(extra={name: "x"})
    with pytest.raises(PackageRefused, match=reason):
        _check(data)


def test_a_manifest_launching_outside_the_package_is_refused() -> None:
    xml = manifest("1.2", "T", [("a", "A", "../outside.html")])
    with pytest.raises(PackageRefused, match="outside the package"):
        _check(build_zip({"imsmanifest.xml": xml}))


def test_a_missing_launch_file_or_manifest_is_refused() -> None:
    xml = manifest("1.2", "T", [("a", "A", "a/index.html")])
    with pytest.raises(PackageRefused, match="not in the package"):
        _check(build_zip({"imsmanifest.xml": xml}))
    with pytest.raises(PackageRefused, match=r"no imsmanifest\.xml"):
        _check(build_zip({"index.html": "<p>hi</p>"}))
    nested = build_zip({"pkg/imsmanifest.xml": xml, "pkg/a/index.html": "x"})
    with pytest.raises(PackageRefused, match=r"no imsmanifest\.xml at the top"):
        _check(nested)


def test_a_zip_bomb_is_refused_by_ratio_and_by_total_size() -> None:
    bomb = build_package(extra={"zeros.bin": b"\0" * (20 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024
    with pytest.raises(PackageRefused, match="zip bomb"):
        _check(bomb, Limits(max_bytes=100 * 1024 * 1024))
    big = build_package(extra={"noise.bin": bytes(range(256)) * 4096 * 3})  # 3 MB, ratio low
    with pytest.raises(PackageRefused, match="unpacks to more than 1 MB"):
        _check(big, Limits(max_bytes=1024 * 1024, max_ratio=10_000))


def test_storage_keys_are_one_to_one_and_inside_the_prefix() -> None:
    keys = {
        storage_key("scorm/abc", path)
        for path in ("a/index.html", "a/Slide 1.html", "a/_61", "a/b_c.js", "Ảnh/ảnh.png")
    }
    assert len(keys) == 5
    assert all(k.startswith("scorm/abc/") and " " not in k for k in keys)
    assert storage_key("scorm/abc", "a/index.html") == "scorm/abc/a/index.html"


def test_runtime_data_of_scorm_12_is_read() -> None:
    data = {
        "cmi": {
            "core": {
                "lesson_status": "passed",
                "lesson_location": "3",
                "score": {"raw": "45", "min": "0", "max": "50"},
                "session_time": "00:01:30",
                "total_time": "0001:00:00",
            },
            "suspend_data": "abc",
            "interactions": {
                "childArray": [
                    {"id": "q1", "type": "choice", "student_response": "b", "result": "wrong"}
                ]
            },
        }
    }
    reading = runtime.read("1.2", data)
    assert reading.finished and reading.success == "passed" and reading.score == 90.0
    assert (reading.location, reading.suspend_data) == ("3", "abc")
    assert (reading.session_seconds, reading.total_seconds) == (90.0, 3600.0)
    assert reading.interactions[0].response == "b"
    assert runtime.is_correct(reading.interactions[0].result) is False


def test_runtime_data_of_scorm_2004_is_read() -> None:
    data = {
        "cmi": {
            "completion_status": "incomplete",
            "success_status": "unknown",
            "score": {"scaled": "0.75", "raw": "3"},
            "location": "p2",
            "total_time": "PT1H2M3.5S",
        }
    }
    reading = runtime.read("2004", data)
    assert not reading.finished
    assert reading.score == 75.0 and reading.total_seconds == 3723.5
    with pytest.raises(runtime.RuntimeDataError):
        runtime.read("2004", ["not", "an", "object"])


def test_resume_data_hands_back_the_place_and_time() -> None:
    reading = runtime.read(
        "1.2",
        {
            "cmi": {
                "core": {"lesson_status": "incomplete", "lesson_location": "4"},
                "suspend_data": "s",
            }
        },
    )
    data = runtime.resume_data("1.2", reading, 3725.0, ("7", "An"))
    assert data["core"]["entry"] == "resume" and data["core"]["lesson_location"] == "4"
    assert data["core"]["total_time"] == "0001:02:05" and data["suspend_data"] == "s"
    assert data["core"]["student_id"] == "7"
    fresh = runtime.resume_data("2004", None, 0.0, ("7", "An"))
    assert fresh == {"learner_id": "7", "learner_name": "An"}
