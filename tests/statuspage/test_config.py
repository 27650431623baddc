"""``maintenance.import``: defaults, and every mistake as one line naming key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from probe.config import ConfigError, load_config


def test_defaults_and_values(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("maintenance:\n  import:\n    - statuspage: https://status.example.com\n"
                    "    - {statuspage: 'http://127.0.0.1:8080/x.json', components: [Video],"
                    " accounts: [acme], every: 30s, notice: 2d, timeout: 5s}\n")
    first, second = load_config(path).maintenance.imports
    assert (first.components, first.accounts, first.every, first.notice, first.timeout) == (
        (), "*", 600.0, 86400.0, 30.0)
    assert (second.components, second.accounts, second.every, second.notice,
            second.timeout) == (("Video",), ("acme",), 30.0, 172800.0, 5.0)


def test_every_problem_at_once_one_line_each(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "maintenance:\n"
        "  import:\n"
        "    - statuspage: status.example.com\n"
        "      every: 500ms\n"
        "      components: ['']\n"
        "      timeout: 0s\n"
        "    - statuspage: https://status.example.com\n"
        "      notice: soon\n"
        "      page: x\n"
        "    - {every: 5m}\n"
        "  imports: []\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).splitlines() == [
        f"{path}: maintenance.import[0].statuspage (line 3): expected the status page's URL, "
        "such as https://status.example.com, got 'status.example.com'",
        f"{path}: maintenance.import[0].every (line 4): every must be at least 1s, got 0.5s",
        f"{path}: maintenance.import[0].components (line 5): component names must be non-empty",
        f"{path}: maintenance.import[0].timeout (line 6): timeout must be above 0",
        f"{path}: maintenance.import[1].notice (line 8): expected a duration like '5m', "
        "got 'soon'",
        f"{path}: maintenance.import[1].page (line 9): unknown key (check its spelling and "
        "indentation)",
        f"{path}: maintenance.import[2].statuspage (line 10): field required",
        f"{path}: maintenance.imports (line 11): unknown key (check its spelling and "
        "indentation)",
    ]
