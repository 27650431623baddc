"""``claim`` with diagnostic files: listed in the evidence, and ``--bundle FILE.zip``.

The month is tests/reports/statement_data.py's October. Some failed probes carry files
in a real diagnostics directory, written by ``DiagnosticsDir`` as the browser flow
writes them: three inside the first counted period, one inside October's part of the
second, and two that no claim of October sends (the short outage and one inside
maintenance).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from probe.cli import main
from probe.diagnostics import DiagnosticsDir
from probe.model import ProbeResult
from probe.results_file import write_results
from probe.store import open_store
from tests.helpers import at
from tests.reports.statement_data import EVIL, SETTINGS, all_results

pytestmark = pytest.mark.xdist_group("claim_bundle")
"""One worker writes the module's month, store and diagnostics once for all its tests."""

NOW = "2026-11-02T00:00:00Z"
ARGS = ["--account", EVIL, "--month", "2026-10", "--now", NOW]
IN_PERIODS = {("eu-west", at("2026-10-05T10:00")), ("us-east", at("2026-10-05T10:01")),
              ("ap-southeast", at("2026-10-05T10:44")), ("eu-west", at("2026-10-31T23:59"))}
ELSEWHERE = {("eu-west", at("2026-10-12T14:01")), ("us-east", at("2026-10-20T02:30"))}
MANIFEST_LINE = re.compile(r"[0-9a-f]{64}  \S.*\n")


def _with_files(result: ProbeResult, root: Path) -> ProbeResult:
    if (result.region, result.ts) not in IN_PERIODS | ELSEWHERE or result.account != EVIL:
        return result
    folder = DiagnosticsDir(root).new_probe(account=result.account, region=result.region,
                                            ts=result.ts, attempt=1)
    shot = folder.add(kind="screenshot", name="screenshot.png",
                      data=b"\x89PNG" + result.region.encode() * 50)
    log = folder.add(kind="console", name="console.log", data=f"{result.ts}\n".encode())
    return replace(result, diagnostics=(shot, log))


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The month as a results file and as a store, with the diagnostics directory beside
    the store where the agent would put it (``probe.db`` → ``probe-diagnostics``)."""
    root = tmp_path_factory.mktemp("month")
    diagnostics = root / "probe-diagnostics"
    results = [_with_files(r, diagnostics) for r in all_results()]
    store = open_store(f"sqlite:///{root / 'probe.db'}", interval=60.0, max_gap=300.0)
    try:
        store.write(results)
    finally:
        store.close()
    with (root / "october.jsonl").open("w") as out:
        write_results(results, out)
    (root / "config.yaml").write_text(yaml.safe_dump(SETTINGS))
    return {"root": root, "diagnostics": diagnostics, "results": root / "october.jsonl",
            "config": root / "config.yaml", "database": root / "probe.db"}


@pytest.fixture
def diagnostics(month: dict[str, Path], tmp_path: Path) -> Path:
    """A copy of the diagnostics directory this test may damage."""
    copy = tmp_path / "diagnostics"
    shutil.copytree(month["diagnostics"], copy)
    return copy


def claim(*args: str | Path) -> int:
    return main(["claim", *(str(a) for a in args)])


def database(month: dict[str, Path]) -> str:
    return f"sqlite:///{month['database']}"


def files_of(document: dict[str, object]) -> dict[tuple[str, str], list[dict[str, object]]]:
    periods = document["periods"]
    assert isinstance(periods, list)
    return {(f["region"], f["ts"]): f["diagnostics"] for p in periods for f in p["failures"]}


@pytest.mark.parametrize("source", ["results", "database"])
def test_the_evidence_lists_each_failed_probe_files(
    source: str, month: dict[str, Path], tmp_path: Path
) -> None:
    where = str(month["results"]) if source == "results" else database(month)
    as_json, as_csv = tmp_path / "e.json", tmp_path / "e.csv"
    assert claim(f"--{source}", where, "--config", month["config"], *ARGS,
                 "--evidence", as_json, "--evidence", as_csv) == 0
    listed = {key: files for key, files in files_of(json.loads(as_json.read_text())).items()
              if files}
    assert len(listed) == len(IN_PERIODS)
    first = listed[("eu-west", "2026-10-05T10:00:00Z")]
    assert [f["kind"] for f in first] == ["screenshot", "console"]
    shot = first[0]
    assert isinstance(shot["path"], str)
    data = (month["diagnostics"] / shot["path"]).read_bytes()
    assert shot["sha256"] == hashlib.sha256(data).hexdigest()
    assert shot["size"] == len(data)
    rows = [r for r in as_csv.read_text().splitlines()[1:] if "sha256:" in r]
    assert len(rows) == len(IN_PERIODS)
    assert f"{shot['path']} sha256:{shot['sha256']}; " in rows[0]


def bundle_of(month: dict[str, Path], tmp_path: Path, *extra: str | Path,
              source: str = "database") -> tuple[int, Path]:
    where = str(month["results"]) if source == "results" else database(month)
    path = tmp_path / "out" / "acme-2026-10.zip"
    path.parent.mkdir(exist_ok=True)
    code = claim(f"--{source}", where, "--config", month["config"], *ARGS,
                 "--bundle", path, "--output", tmp_path / "ticket.txt", *extra)
    return code, path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def check_manifest(found: dict[str, bytes]) -> None:
    """Every member but the manifest, byte for byte, in ``sha256sum`` format, sorted."""
    manifest = found["MANIFEST.sha256"].decode()
    lines = manifest.splitlines(keepends=True)
    assert all(MANIFEST_LINE.fullmatch(line) for line in lines)
    listed = {line[66:-1]: line[:64] for line in lines}
    assert [line[66:-1] for line in lines] == sorted(listed)
    assert listed == {name: hashlib.sha256(data).hexdigest()
                      for name, data in found.items() if name != "MANIFEST.sha256"}


@pytest.mark.parametrize("source", ["database", "results"])
def test_the_bundle_holds_everything_and_its_manifest_matches(
    source: str, month: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, path = bundle_of(month, tmp_path, "--diagnostics-dir", month["diagnostics"],
                           source=source)
    assert code == 0, capsys.readouterr().err
    assert capsys.readouterr().err == ""
    found = members(path)
    check_manifest(found)
    evidence = json.loads(found["evidence.json"])
    wanted = {f"diagnostics/{f['path']}": f for files in files_of(evidence).values()
              for f in files}
    assert len(wanted) == 2 * len(IN_PERIODS)
    assert set(found) == {"ticket.txt", "statement.html", "evidence.json",
                          "MANIFEST.sha256", *wanted}
    for name, file in wanted.items():
        assert found[name] == (month["diagnostics"] / str(file["path"])).read_bytes()
        assert hashlib.sha256(found[name]).hexdigest() == file["sha256"]
    assert found["ticket.txt"] == (tmp_path / "ticket.txt").read_bytes()
    assert b"Evidence attached: acme-2026-10.zip (ticket, statement, evidence, 8 diagnostic " \
           b"file(s), MANIFEST.sha256)" in found["ticket.txt"]
    assert b"  4 of them left diagnostic files (screenshot, browser trace, console log, " \
           b"WebRTC statistics), each named with its sha256.\n" in found["ticket.txt"]
    assert list(path.parent.iterdir()) == [path], "nothing left beside it"


def test_the_statement_and_evidence_are_those_report_and_claim_write(
    month: dict[str, Path], tmp_path: Path
) -> None:
    code, path = bundle_of(month, tmp_path, "--diagnostics-dir", month["diagnostics"])
    assert code == 0
    found = members(path)
    html, evidence = tmp_path / "statement.html", tmp_path / "evidence.json"
    assert main(["report", "--database", database(month), "--config", str(month["config"]),
                 "--account", EVIL, "--month", "2026-10", "--format", "html",
                 "--output", str(html)]) == 0
    assert found["statement.html"] == html.read_bytes()
    assert claim("--database", database(month), "--config", month["config"], *ARGS,
                 "--evidence", evidence, "--output", tmp_path / "t.txt") == 0
    assert found["evidence.json"] == evidence.read_bytes()


def test_sha256sum_checks_an_unpacked_bundle(month: dict[str, Path], tmp_path: Path) -> None:
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum (coreutils) not installed")
    code, path = bundle_of(month, tmp_path)  # the default directory, beside the store
    assert code == 0
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(path) as archive:
        archive.extractall(unpacked)
    done = subprocess.run(["sha256sum", "--strict", "-c", "MANIFEST.sha256"], cwd=unpacked,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": OK\n") == 3 + 8


def test_missing_and_changed_files_are_listed_not_dropped(
    month: dict[str, Path], diagnostics: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shots = sorted(diagnostics.glob("*/eu-west/*/screenshot.png"))
    gone, changed = shots[0], shots[-1]
    gone.unlink()
    changed.write_bytes(b"not what the probe wrote")
    code, path = bundle_of(month, tmp_path, "--diagnostics-dir", diagnostics)
    assert code == 0
    err = capsys.readouterr().err
    assert err == (f"warning: 2 diagnostic file(s) could not be included in {path}; "
                   "its MISSING.txt lists them\n")
    found = members(path)
    check_manifest(found)
    missing = found["MISSING.txt"].decode()
    relative = {p: p.relative_to(diagnostics).as_posix() for p in (gone, changed)}
    stored = {p: hashlib.sha256((month["diagnostics"] / r).read_bytes()).hexdigest()
              for p, r in relative.items()}
    now = hashlib.sha256(b"not what the probe wrote").hexdigest()
    assert missing.splitlines()[0].startswith("2 diagnostic file(s) named in evidence.json "
                                              "are not in this bundle")
    assert f"{relative[gone]}  sha256 {stored[gone]}  missing\n" in missing
    assert (f"{relative[changed]}  sha256 {stored[changed]}  changed: its sha256 is now "
            f"{now}\n") in missing
    assert f"diagnostics/{relative[gone]}" not in found
    assert f"diagnostics/{relative[changed]}" not in found
    assert sum(name.startswith("diagnostics/") for name in found) == 6


def test_the_config_names_the_diagnostics_directory(
    month: dict[str, Path], diagnostics: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({**SETTINGS, "diagnostics": {"dir": str(diagnostics)}}))
    next(diagnostics.glob("*/us-east/20261005T*/console.log")).write_text("changed")
    path = tmp_path / "b.zip"
    assert claim("--database", database(month), "--config", config, *ARGS,
                 "--bundle", path, "--output", tmp_path / "t.txt") == 0
    assert "changed: its sha256 is now" in members(path)["MISSING.txt"].decode()


@pytest.mark.parametrize(("extra", "message"), [
    (["--diagnostics-dir", "/nonexistent/diagnostics"],
     "--diagnostics-dir /nonexistent/diagnostics: no such directory\n"),
    (["--bundle", "/nonexistent/dir/b.zip"],
     "--bundle /nonexistent/dir/b.zip: directory /nonexistent/dir does not exist\n"),
])
def test_a_bad_path_is_one_line_and_exit_2(
    month: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    extra: list[str], message: str,
) -> None:
    bundle = [] if "--bundle" in extra else ["--bundle", str(tmp_path / "b.zip")]
    assert claim("--database", database(month), "--config", month["config"], *ARGS,
                 *bundle, *extra) == 2
    assert capsys.readouterr().err == message
    assert list(tmp_path.iterdir()) == []


def test_a_bundle_not_named_zip_is_refused(
    month: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        claim("--database", database(month), *ARGS, "--bundle", tmp_path / "b.tar")
    assert exited.value.code == 2
    assert "bundle '" in capsys.readouterr().err


def test_nothing_to_claim_writes_no_bundle(
    month: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "b.zip"
    assert claim("--database", database(month), "--config", month["config"], "--account",
                 "globex", "--month", "2026-10", "--bundle", path) == 1
    assert "no unavailable time to claim" in capsys.readouterr().err
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_help_says_what_the_bundle_holds(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["claim", "--help"])
    text = capsys.readouterr().out
    for phrase in ("--bundle FILE.zip", "--diagnostics-dir DIR", "MANIFEST.sha256",
                   "MISSING.txt", "sha256sum -c", "statement.html", "evidence.json"):
        assert phrase in text, phrase
