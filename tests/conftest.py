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
from tests.slack_fixtures import fake_slack, fake_socket_mode  # noqa: E402, F401
# --- end Slack fakes ---------------------------------------------------------------------------
