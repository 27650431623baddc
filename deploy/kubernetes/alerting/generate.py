"""Write prometheusrule.yaml from deploy/prometheus/rules.yml, comments and all.

The rules have one source, ``deploy/prometheus/rules.yml`` (checked and unit-tested
with promtool); the Prometheus Operator wants them inside a PrometheusRule, so this
indents that file's ``groups:`` under ``spec:``. ``--check`` exits 1 when the file on
disk is not what this would write (tests/deploy run it).

    python deploy/kubernetes/alerting/generate.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RULES = HERE.parents[1] / "prometheus" / "rules.yml"
TARGET = HERE / "prometheusrule.yaml"

HEADER = """\
# GENERATED from deploy/prometheus/rules.yml by generate.py in this folder: edit the
# rules there (where promtool checks and unit-tests them), then run
#   python deploy/kubernetes/alerting/generate.py
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: lifesize-probe
  labels:
    app.kubernetes.io/name: lifesize-probe
spec:
"""


def render(rules: str) -> str:
    """The PrometheusRule: ``rules`` from its ``groups:`` line on, two spaces deeper."""
    lines = rules.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("groups:"))
    body = [f"  {line}" if line.strip() else "" for line in lines[start:]]
    return HEADER + "\n".join(body) + "\n"


def main(argv: list[str]) -> int:
    wanted = render(RULES.read_text(encoding="utf-8"))
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != wanted:
            print(f"{TARGET} is out of date: run python {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
