"""A month of probe results for the README's worked example (October 2026, UTC).

    python examples/sample_month.py > october.jsonl

acme probes from three regions (quorum: majority), globex from one. What happens:

- Oct 5 10:00-10:45: every acme region fails at login with HTTP 503: 45 minutes counted.
- Oct 12 14:00-14:04: two acme regions fail the call step: 4 minutes, too short to count.
- Oct 20 03:00-03:30: only us-east fails: one region of three is not a majority.
- Oct 25 02:10-02:50: every region fails inside the Sunday 02:00 maintenance: excluded.
- Oct 28 09:00-10:00: ap-southeast's test account is refused (auth_rejected): the probe's
  problem, not the service's, so it is listed separately.
- Oct 31 23:57 - Nov 1 00:03: globex is down 6 minutes; it qualifies whole, and
  October counts its 3 minutes.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

START = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2026, 11, 2, tzinfo=UTC)
KEYS = [("acme", "eu-west"), ("acme", "us-east"), ("acme", "ap-southeast"), ("globex", "eu-west")]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


FAULTS = [
    # (account, regions, from, until, step, error)
    ("acme", {"eu-west", "us-east", "ap-southeast"}, at("2026-10-05T10:00"),
     at("2026-10-05T10:45"), "login", "http_503"),
    ("acme", {"eu-west", "us-east"}, at("2026-10-12T14:00"), at("2026-10-12T14:04"),
     "call", "timeout"),
    ("acme", {"us-east"}, at("2026-10-20T03:00"), at("2026-10-20T03:30"), "call", "connect"),
    ("acme", {"eu-west", "us-east", "ap-southeast"}, at("2026-10-25T02:10"),
     at("2026-10-25T02:50"), "login", "http_502"),
    ("acme", {"ap-southeast"}, at("2026-10-28T09:00"), at("2026-10-28T10:00"),
     "login", "auth_rejected"),
    ("globex", {"eu-west"}, at("2026-10-31T23:57"), at("2026-11-01T00:03"), "call", "http_500"),
]


def fault(account: str, region: str, moment: datetime) -> tuple[str, str] | None:
    for who, regions, begin, until, step, error in FAULTS:
        if who == account and region in regions and begin <= moment < until:
            return step, error
    return None


def main() -> None:
    out = sys.stdout
    moment = START
    while moment < END:
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        for account, region in KEYS:
            failed = fault(account, region, moment)
            if failed is None:
                out.write(f'{{"ts": "{stamp}", "account": "{account}", "region": "{region}", '
                          '"ok": true, "step": null, "error": null}\n')
            else:
                out.write(f'{{"ts": "{stamp}", "account": "{account}", "region": "{region}", '
                          f'"ok": false, "step": "{failed[0]}", "error": "{failed[1]}"}}\n')
        moment += timedelta(minutes=1)


if __name__ == "__main__":
    main()
