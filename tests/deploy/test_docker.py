"""The Dockerfile: linted, its shape checked, and its steps run without a Docker engine.

``FakeRoot`` (``dockerfile.py``) plays both stages under a temporary folder: the wheel
is built and installed into a fresh virtualenv by ``deploy/docker/install.sh``, exactly
the commands of the Dockerfile's ``RUN`` lines; then the entrypoint, the default
command's config and the ``HEALTHCHECK`` run from what was installed.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.agent.agent_config import write_config
from tests.agent.test_crash import AgentProcess, wait_for
from tests.agent.test_end_to_end import metric
from tests.deploy.conftest import DEPLOY, REPO, docker_script, run, tool
from tests.deploy.dockerfile import (
    DockerIgnore,
    FakeRoot,
    copy_sources,
    exec_form,
    healthcheck_command,
    metadata,
    stages,
)
from tests.ports import free_port

pytestmark = pytest.mark.xdist_group("image")
"""One worker plays the image (a wheel build and two installs) once for all its tests."""

DOCKERFILE = (REPO / "Dockerfile").read_text()
IGNORE = DockerIgnore((REPO / ".dockerignore").read_text())
FINAL = metadata(stages(DOCKERFILE)[-1])


def test_hadolint_finds_nothing() -> None:
    run(tool("hadolint"), "Dockerfile")


def test_two_stages_and_a_runtime_that_runs_as_nobody_special() -> None:
    assert len(stages(DOCKERFILE)) == 2
    (user,) = FINAL["USER"]
    assert user.args.split(":")[0] not in {"0", "root"}
    assert [e.args for e in FINAL["EXPOSE"]] == ["9464"]
    (volume,) = FINAL["VOLUME"]
    assert set(exec_form(volume.args)) == {"/etc/lifesize-probe", "/var/lib/lifesize-probe"}
    (entrypoint,) = FINAL["ENTRYPOINT"]
    assert exec_form(entrypoint.args) == ["lifesize-probe"]


def test_the_default_command_runs_the_shipped_config() -> None:
    (cmd,) = FINAL["CMD"]
    command = exec_form(cmd.args)
    assert command[:2] == ["run", "--config"]
    copies = {copy_sources(c)[2]: copy_sources(c)[1] for c in FINAL["COPY"]}
    assert copies[command[2]] == ["deploy/docker/lifesize-probe.yaml"]
    env = " ".join(e.args for e in FINAL["ENV"])
    assert f"LIFESIZE_PROBE_CONFIG={command[2]}" in env  # what the HEALTHCHECK reads
    config = yaml.safe_load((DEPLOY / "docker" / "lifesize-probe.yaml").read_text())
    assert config["agent"]["listen"] == "0.0.0.0:9464"
    assert config["agent"]["database"].startswith("sqlite:////var/lib/lifesize-probe/")


def test_no_secret_is_baked_into_the_image() -> None:
    for instruction in (*FINAL.get("ENV", []), *FINAL.get("ARG", [])):
        for word in ("PASSWORD", "TOKEN", "SECRET", "API_KEY"):
            assert word not in instruction.args.upper(), instruction


@pytest.mark.parametrize(("path", "sent"), [
    ("probe/cli.py", True), ("probe/store/migrations/0001_initial.sql", True),
    ("pyproject.toml", True), ("probe/simulator/demo/demo-secrets/api-key", True),
    ("deploy/docker/install.sh", True), ("requirements/run.txt", True),
    ("requirements/build.txt", True), ("requirements/uv.txt", True),
    ("requirements/test.txt", False),
    (".venv/bin/python", False), (".git/config", False), ("tests/conftest.py", False),
    ("probe/agent/__pycache__/web.cpython-311.pyc", False), ("lifesize-probe.db", False),
    ("config/example.yaml", False), ("deploy/kubernetes/base/deployment.yaml", False),
])
def test_the_build_context_is_what_the_image_needs(path: str, sent: bool) -> None:
    assert IGNORE.excluded(path) is not sent


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> FakeRoot:
    """Both stages played under a temporary root (builds a wheel, installs from PyPI)."""
    root = FakeRoot(tmp_path_factory.mktemp("image"), REPO, IGNORE)
    for stage in stages(DOCKERFILE):
        root.run_stage(stage)
    assert root.skipped == [
        "groupadd --system --gid 10001 probe",
        "useradd --system --uid 10001 --gid probe --no-create-home --home-dir "
        "/var/lib/lifesize-probe --shell /usr/sbin/nologin probe",
        "chown probe:probe /var/lib/lifesize-probe", "USER 10001:10001"]
    return root


def entrypoint(image: FakeRoot, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    (instruction,) = FINAL["ENTRYPOINT"]
    command = [image.move(word) for word in exec_form(instruction.args)]
    return subprocess.run([*command, *args], env=image.host_env(), capture_output=True,
                          text=True, check=check, timeout=120)


def test_the_entrypoint_and_the_shipped_config(image: FakeRoot) -> None:
    assert "report" in entrypoint(image, "--help").stdout
    (cmd,) = FINAL["CMD"]
    config = image.path(exec_form(cmd.args)[2])
    checked = entrypoint(image, "check-config", str(config))
    assert "listen 0.0.0.0:9464" in checked.stdout
    assert not image.path("/tmp/wheels").exists()  # the RUN line cleans up after itself


def test_the_kubernetes_init_step_is_installed(image: FakeRoot) -> None:
    deployment = yaml.safe_load(
        (DEPLOY / "kubernetes" / "base" / "deployment.yaml").read_text())
    (init,) = deployment["spec"]["template"]["spec"]["initContainers"]
    scripts = [word for word in init["command"] + init.get("args", [])
               if word.startswith("/opt/")]
    assert scripts
    for script in scripts:
        assert image.path(script).is_file(), script


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts; stopped (SIGTERM, then SIGKILL) after it."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def answers(url: str, **request: object) -> bool:
    try:
        return httpx.post(url, timeout=5, **request).status_code == 200  # type: ignore[arg-type]
    except httpx.TransportError:
        return False


def test_demo_config_and_healthcheck_from_the_installed_image(
    image: FakeRoot, processes: list[subprocess.Popen[str]], tmp_path: Path
) -> None:
    # `simulate` without --config serves the demo accounts: the demo config and its
    # secrets are where the installed package looks for them.
    sim = f"127.0.0.1:{free_port()}"
    processes.append(subprocess.Popen(
        ["lifesize-probe", "simulate", "--listen", sim], env=image.host_env(),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True))
    alice = (REPO / "probe" / "simulator" / "demo" / "demo-secrets" / "acme-alice"
             ).read_text().strip()
    wait_for(lambda: answers(f"http://{sim}/api/login",
                          json={"username": "alice@acme.example", "password": alice}))

    (healthcheck,) = FINAL["HEALTHCHECK"]
    command = [image.move(word) for word in healthcheck_command(healthcheck.args)]
    listen = f"127.0.0.1:{free_port()}"
    config = write_config(tmp_path, simulator=f"http://{sim}", listen=listen)
    env = {**image.host_env(), "LIFESIZE_PROBE_CONFIG": str(config)}

    def healthy() -> bool:
        done = subprocess.run(command, env=env, capture_output=True, timeout=60, check=False)
        return done.returncode == 0

    assert not healthy()  # nothing listens yet
    agent = subprocess.Popen(["lifesize-probe", "run", "--config", str(config)],
                             env=image.host_env(), stderr=subprocess.DEVNULL, text=True)
    processes.append(agent)
    wait_for(healthy)
    agent.send_signal(signal.SIGTERM)
    assert agent.wait(60) == 0
    assert not healthy()


@pytest.mark.parametrize(("listen", "url"), [
    ("0.0.0.0:9464", "http://127.0.0.1:9464/healthz"),
    ("[::]:9000", "http://127.0.0.1:9000/healthz"),
    ("127.0.0.1:9464", "http://127.0.0.1:9464/healthz"),
    ("[::1]:9464", "http://[::1]:9464/healthz"),
    (None, "http://127.0.0.1:9464/healthz"),
])
def test_the_healthcheck_asks_the_configured_port(
    tmp_path: Path, listen: str | None, url: str
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"agent": {"listen": listen}} if listen else {}))
    assert docker_script("healthcheck").health_url(str(config)) == url


def test_the_demo_runs_from_the_installed_wheel_in_any_directory(
    image: FakeRoot, processes: list[subprocess.Popen[str]], tmp_path: Path
) -> None:
    # The wheel carries the demo config and its secrets: no checkout, no config folder in
    # site-packages, a working directory with nothing in it; free ports, announced.
    demo = AgentProcess(None, argv=["lifesize-probe", "demo", "--listen", "127.0.0.1:0",
                                    "--simulator", "127.0.0.1:0"],
                        env=image.host_env(), cwd=tmp_path, stdout=subprocess.DEVNULL)
    processes.append(demo.process)
    url = demo.wait_url(timeout=120)
    assert not list(image.path("/opt/lifesize-probe").glob("lib/*/site-packages/config"))

    def probed_both_accounts() -> bool:
        text = httpx.get(f"{url}/metrics", timeout=10).text
        return all(metric(text, "lifesize_probe_success", account=account, region="local") == 1
                   for account in ("acme", "globex"))

    wait_for(probed_both_accounts, timeout=120)
    assert list(tmp_path.iterdir()) == []  # the store is a temporary file elsewhere
    demo.process.send_signal(signal.SIGTERM)
    assert demo.process.wait(60) == 0
    demo.stop()
