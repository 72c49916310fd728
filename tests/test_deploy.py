"""The deploy files, checked by what runs on this machine: the systemd unit by
`systemd-analyze verify` and `security`, the container file by BuildKit's own parser plus the
rules it must keep (no container engine runs here, so it is never built in the tests), the
nginx example by `nginx -t` where nginx is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
MEMOBOT = Path(sys.executable).with_name("memobot")


def _unit_for_here(tmp_path: Path) -> Path:
    """The unit with ExecStart pointing at this checkout's memobot (verify checks it exists)."""
    text = (DEPLOY / "memobot@.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/memobot/.venv/bin/memobot serve --http" in text
    unit = tmp_path / "memobot@.service"
    unit.write_text(text.replace("/opt/memobot/.venv/bin/memobot", str(MEMOBOT)), encoding="utf-8")
    return unit


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_the_systemd_unit_verifies_without_a_warning(tmp_path: Path) -> None:
    """`systemd-analyze verify` accepts an instance of the unit and prints nothing (it only warns,
    exit 0, on an unknown key or a bad value — so any output fails the test)."""
    _unit_for_here(tmp_path)
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(tmp_path / "memobot@1.service")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_the_systemd_unit_is_sandboxed(tmp_path: Path) -> None:
    """`systemd-analyze security` rates the unit's sandbox at most 2.0 ("OK"; 10 is unconfined)."""
    _unit_for_here(tmp_path)
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", str(tmp_path / "memobot@1.service")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    found = re.search(r"Overall exposure level for memobot@1\.service: ([0-9.]+)", done.stdout)
    assert found, done.stdout[-500:] + done.stderr
    assert float(found.group(1)) <= 2.0


def _instructions() -> list:
    import dockerfile

    return list(dockerfile.parse_file(str(DEPLOY / "Containerfile")))


def test_the_container_file_parses_and_keeps_its_rules() -> None:
    """BuildKit's parser reads the container file; the final stage runs as a non-root user with a
    health check on /healthz; base images carry a tag; every COPY source exists in the repo; ADD
    (which fetches URLs and unpacks archives) is not used."""
    commands = _instructions()
    final = commands[max(i for i, c in enumerate(commands) if c.cmd == "FROM") :]
    users = [c.value[0] for c in final if c.cmd == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    [health] = [c for c in final if c.cmd == "HEALTHCHECK"]
    assert "/healthz" in " ".join(health.value) and any(f.startswith("--timeout=") for f in health.flags)
    for source in (c for c in commands if c.cmd == "FROM"):
        image = source.value[0]
        assert ":" in image and not image.endswith(":latest"), image
    assert not [c for c in commands if c.cmd == "ADD"]
    for copy in (c for c in commands if c.cmd == "COPY" and not c.flags):
        for source in copy.value[:-1]:
            assert (ROOT / source).exists(), source


def test_the_container_runs_a_real_memobot_command() -> None:
    """ENTRYPOINT + CMD is a command line memobot accepts (`memobot serve --http`)."""
    from memobot.cli import _parser

    commands = _instructions()
    [entry] = [c.value for c in commands if c.cmd == "ENTRYPOINT"]
    [cmd] = [c.value for c in commands if c.cmd == "CMD"]
    assert entry == ("memobot",)
    args = _parser().parse_args(list(cmd))
    assert args.command == "serve" and args.http is True


@pytest.mark.skipif(
    shutil.which("nginx") is None, reason="nginx is not installed here (apt-get install nginx-light)"
)
def test_the_nginx_example_passes_nginx_t(tmp_path: Path) -> None:
    """`nginx -t` accepts the reverse-proxy example (with a throwaway certificate in place of
    the real one)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed here")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=test",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        capture_output=True,
        timeout=60,
        check=True,
    )
    site = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    site = site.replace("/etc/letsencrypt/live/memobot.example.org/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/memobot.example.org/privkey.pem", str(key))
    site = site.replace("listen 443", "listen 127.0.0.1:1").replace("listen [::]:443", "listen [::1]:1")
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n client_body_temp_path {tmp_path};\n proxy_temp_path {tmp_path};\n"
        f" include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr and "test is successful" in done.stderr
