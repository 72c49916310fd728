"""Shared fixtures: small, real knowledge bases written as YAML files under tmp_path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

MEMO_A = """\
memo:
  id: memo-a
  title: Arktis i forandring
  series: CMS-memo
  publisher: Center for Militære Studier
  year: 2024
  language: da
  source_url: https://example.org/arktis
roles:
  - id: central
    name: Central anbefaling
  - id: alliance
    name: Alliancebrobygger
recommendations:
  - id: a-rec-central
    role: central
    text: Danmark bør styrke overvågningen af Arktis.
  - id: a-rec-alliance
    role: alliance
    parent: a-rec-central
    text: Danmark kan samarbejde med Norge om kystvagten.
passages:
  - id: a-intro-1
    section: [Indledning]
    text: Stormagtskonkurrencen når nu også Arktis, hvor isen smelter.
    supports: [a-rec-central]
  - id: a-anb-1
    section: [Anbefalinger]
    text: Danmark bør styrke overvågningen af Arktis.
    supports: [a-rec-central]
  - id: a-alliance-1
    section: [Anbefalinger, Alliancebrobygger]
    kind: bullet
    text: Danmark kan samarbejde med Norge om kystvagten.
    supports: [a-rec-alliance]
"""

MEMO_B = """\
memo:
  id: memo-b
  title: Teknologi og forsvar
  publisher: Center for Militære Studier
  year: 2023
  language: da
  source_url: https://example.org/teknologi
roles:
  - id: teknologi
    name: Teknologisk brobygger
recommendations:
  - id: b-rec-kvante
    role: teknologi
    text: NATO’s kvantecenter i København kan samle forskningen.
passages:
  - id: b-tek-1
    section: [Teknologi]
    text: Danmark er et af de mest digitaliserede lande i verden.
    supports: [b-rec-kvante]
  - id: b-tek-2
    section: [Teknologi]
    text: NATO’s kvantecenter i København kan samle forskningen.
    supports: [b-rec-kvante]
"""

GLOSSARY = """\
glossary:
  - en: [quantum centre, quantum center]
    da: [kvantecenter]
  - en: [coast guard]
    synonyms: [kystbevogtning]
    da: [kystvagten]
"""


def write_kb(directory: Path, files: dict[str, str]) -> Path:
    """Write knowledge files (name → YAML text) into ``directory`` and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


@pytest.fixture
def tiny_kb(tmp_path: Path) -> Path:
    """A two-memo knowledge base with a glossary."""
    return write_kb(tmp_path / "kb", {"a.yaml": MEMO_A, "b.yaml": MEMO_B, "glossary.yaml": GLOSSARY})


# --- Slack fakes (tests/slack_fixtures.py): fake_slack, fake_socket_mode ---------------------
from tests.slack_fixtures import bot, bundled_service, fake_slack, fake_socket_mode  # noqa: E402, F401

# --- end Slack fakes ---------------------------------------------------------------------------


# --- state and Redis -------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _private_state_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test (and every process it starts) keeps its state in a tmp dir, never in the
    user's ~/.local/state; a MEMOBOT_STORE of the surrounding shell is not used either."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    for name in ("MEMOBOT_STORE", "MEMOBOT_STATE_DIR", "STATE_DIRECTORY", "MEMOBOT_LOG_QUESTIONS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory):
    """A real redis-server on a free loopback port for the whole session."""
    from tests.redis_support import running_redis

    try:
        with running_redis(tmp_path_factory.mktemp("redis")) as server:
            yield server
    except FileNotFoundError as exc:
        pytest.skip(f"{exc}; .ci/run installs it")


@pytest.fixture
def redis_url(redis_server) -> str:
    """The session's Redis, emptied for this test."""
    redis_server.client().flushall()
    return redis_server.url
