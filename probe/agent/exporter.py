"""``/metrics``: the exporter. A ``Snapshot`` as the text exposition (format 0.0.4),
written directly, and gzipped.

Rendering happens once per snapshot, never per scrape and never on the event loop:
whenever it builds a snapshot the agent writes the families of its role gzipped, in a
worker thread (``gzipped_exposition_for``), and keeps that in the snapshot; a scrape
serves it as it is. The families themselves, their types and HELP texts, and which role
exports which, are declared in ``metric_families``.

prometheus-client's ``generate_latest`` builds a ``Sample`` with a labels dict for every
line, then sorts and escapes that dict again per line: at 10,000 account-regions that is
570,000 lines and seconds of CPU. Here each label value is escaped once per series,
bucket bounds are formatted once per bucket layout, and values go through the same
``floatToGoString`` prometheus-client uses, so the bytes are identical to what
``generate_latest`` writes for a custom collector of the same snapshot (the tests keep
that collector as the reference and compare both on hand-built and generated snapshots).

Identical means prometheus-client's quirks too: counters are named ``<name>_total`` in
HELP, TYPE and samples, with no ``_created``; labels of a line are sorted by name (so
``le`` sits between ``account`` and ``region``); bounds are ``repr(float)`` (``1.0``).

``lifesize_account_down_since_timestamp_seconds`` is exposed only while a region is
down (no series otherwise), so ``time() - lifesize_account_down_since_timestamp_seconds``
is how long it has been down, with no ``> 0`` filter needed.
"""

from __future__ import annotations

import gzip
import itertools
import zlib
from collections.abc import Callable, Iterable, Iterator

from prometheus_client.utils import floatToGoString

from probe.agent.metric_families import FAMILIES, STEPS, Wanted, wanted
from probe.agent.snapshot import DURATION_BUCKETS, Histogram, RegionState, Snapshot
from probe.sla.report import AccountFigures

__all__ = ["CHUNK_LINES", "CONTENT_TYPE", "GZIP_LEVEL", "chunks", "exposition_for",
           "families", "gzip_exposition", "gzipped_exposition_for", "render", "render_gzip"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The text exposition format that ``render`` produces."""

GZIP_LEVEL = 3
"""Measured at 10,000 series (53 MB): levels 1 and 3 both take ~0.06 s of CPU, 3 is 10 %
smaller (2.0 MB); 6 takes 3x longer for 15 % less, 9 11x longer for 23 % less
(``benchmarks/exposition.py``)."""


_go: Callable[[float], str] = floatToGoString
"""How prometheus-client spells a value (``+Inf``, ``NaN``, ``1e+22``); untyped there."""
_EMPTY_DURATIONS = Histogram(buckets=DURATION_BUCKETS, counts=(0,) * len(DURATION_BUCKETS))
_Series = tuple[RegionState, str, str]
"""A region state with its account and region already escaped as label values."""
_Family = tuple[str, Iterable[str]]
"""A family's name (without ``_total``) and its lines, HELP and TYPE first."""
CHUNK_LINES = 8192
"""Lines encoded at once: big enough for ``join`` to be cheap, small enough to not matter."""
_GZIP_WBITS = 31
"""zlib's window bits for a gzip wrapper (16 + 15)."""


def families(snapshot: Snapshot) -> Iterator[_Family]:
    """Every family of ``snapshot`` as (name, lines), in the collector's order.

    The lines are lazy: a family nobody asks for (``render(wanted=...)``) costs nothing.
    """
    series = [(state, _escape(state.account), _escape(state.region))
              for state in snapshot.regions]
    yield from _probe_families(series)
    yield from _state_families(snapshot, series)
    yield from _sla_families(snapshot, series)
    yield from _process_families(snapshot)


def chunks(snapshot: Snapshot, wanted: Wanted = None) -> Iterator[bytes]:
    """The exposition of the families ``wanted`` (by name; all when ``None``), encoded in
    pieces of ``CHUNK_LINES`` lines, so that the whole text never sits in memory as
    ``str`` (at 10,000 series it is 53 MB)."""
    lines = itertools.chain.from_iterable(
        lines for name, lines in families(snapshot) if wanted is None or wanted(name))
    while batch := list(itertools.islice(lines, CHUNK_LINES)):
        yield "".join(batch).encode()


def render(snapshot: Snapshot, wanted: Wanted = None) -> bytes:
    """The exposition of ``snapshot``, byte for byte what ``generate_latest`` writes."""
    return b"".join(chunks(snapshot, wanted))


def render_gzip(snapshot: Snapshot, wanted: Wanted = None) -> bytes:
    """``render`` gzipped as it is written: the plain text never exists whole, which at
    10,000 series keeps ~150 MB of transient copies out of the agent's peak memory."""
    packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
    packed = [packer.compress(chunk) for chunk in chunks(snapshot, wanted)]
    packed.append(packer.flush())
    return b"".join(packed)


def _family(name: str, lines: Iterable[str]) -> Iterator[str]:
    """HELP and TYPE of ``name``, then ``lines``."""
    yield _header(name)
    yield from lines


def gzip_exposition(exposition: bytes) -> bytes:
    """``exposition`` gzipped for scrapers that accept it; ``mtime=0`` keeps it reproducible."""
    return gzip.compress(exposition, compresslevel=GZIP_LEVEL, mtime=0)


def _escape(value: str) -> str:
    """A label value as prometheus-client escapes it: backslash, newline, double quote."""
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


def _header(name: str) -> str:
    """HELP and TYPE; a counter is ``<name>_total`` in both, as prometheus-client names it."""
    kind, text = FAMILIES[name]
    exposed = f"{name}_total" if kind == "counter" else name
    text = text.replace("\\", r"\\").replace("\n", r"\n")
    return f"# HELP {exposed} {text}\n# TYPE {exposed} {kind}\n"


class _Bounds:
    """``le`` strings of each bucket layout, formatted once per layout and render.

    Keyed by identity (histograms share their layout tuple): equal tuples are not
    always alike, ``(0.0,) == (-0.0,)`` but their ``le`` differ.
    """

    def __init__(self) -> None:
        self._known: dict[int, tuple[tuple[float, ...], tuple[str, ...]]] = {}

    def __call__(self, buckets: tuple[float, ...]) -> tuple[str, ...]:
        known = self._known.get(id(buckets))
        if known is None or known[0] is not buckets:
            known = self._known[id(buckets)] = (
                buckets, tuple(repr(float(bound)) for bound in buckets))
        return known[1]


def _histogram(name: str, histogram: Histogram, les: tuple[str, ...], *, head: str,
               tail: str, plain: str) -> Iterator[str]:
    """One histogram series: ``head`` + le + ``tail`` per bucket, ``plain`` for count/sum.

    Like ``HistogramMetricFamily``, no count and sum when the first bound is negative.
    """
    for le, count in zip(les, histogram.counts, strict=True):
        yield f"{name}_bucket{head}{le}{tail} {_go(count)}\n"
    yield f"{name}_bucket{head}+Inf{tail} {_go(histogram.count)}\n"
    if (histogram.buckets[0] if histogram.buckets else float("inf")) >= 0:
        yield f"{name}_count{plain} {_go(histogram.count)}\n"
        yield f"{name}_sum{plain} {_go(histogram.sum)}\n"


def _durations(series: Iterable[_Series]) -> Iterator[str]:
    """``lifesize_probe_duration_seconds``: the three steps always, then others sorted."""
    name = "lifesize_probe_duration_seconds"
    yield _header(name)
    bounds = _Bounds()
    for state, account, region in series:
        for step in [*STEPS, *sorted(set(state.durations) - set(STEPS))]:
            histogram = state.durations.get(step, _EMPTY_DURATIONS)
            tail = f'",region="{region}",step="{_escape(step)}"}}'
            plain = f'{{account="{account}",region="{region}",step="{_escape(step)}"}}'
            yield from _histogram(name, histogram, bounds(histogram.buckets),
                                  head=f'{{account="{account}",le="', tail=tail, plain=plain)


def _failures(series: Iterable[_Series]) -> Iterator[str]:
    """``lifesize_probe_failures_total`` by step and error class, sorted as the collector
    does; the error class is the label ``reason`` (the public name, kept)."""
    name = "lifesize_probe_failures"
    yield _header(name)
    for state, account, region in series:
        for (step, error), count in sorted(state.failures_total.items()):
            yield (f'{name}_total{{account="{account}",reason="{_escape(error)}",'
                   f'region="{region}",step="{_escape(step)}"}} {_go(count)}\n')


def _probe_families(series: list[_Series]) -> Iterator[_Family]:
    """``lifesize_probe_*`` of every account-region, in the collector's order."""
    yield "lifesize_probe_success", _family("lifesize_probe_success", (
        f'lifesize_probe_success{{account="{a}",region="{r}"}} {"1.0" if s.last.ok else "0.0"}\n'
        for s, a, r in series if s.last is not None))
    yield "lifesize_probe_duration_seconds", _durations(series)
    yield "lifesize_probe_runs", _family("lifesize_probe_runs", (
        f'lifesize_probe_runs_total{{account="{a}",region="{r}"}} {_go(s.runs_total)}\n'
        for s, a, r in series))
    yield "lifesize_probe_failures", _failures(series)
    # One name per family: the lines are written later, when each name is read.
    last_run = "lifesize_probe_last_run_timestamp_seconds"
    yield last_run, _family(last_run, (
        f'{last_run}{{account="{a}",region="{r}"}} {_go(s.last.ts)}\n'
        for s, a, r in series if s.last is not None))
    skipped = "lifesize_probe_skipped_runs"
    yield skipped, _family(skipped, (
        f'{skipped}_total{{account="{a}",region="{r}"}} {_go(s.skipped_runs_total)}\n'
        for s, a, r in series))


def _state_families(snapshot: Snapshot, series: list[_Series]) -> Iterator[_Family]:
    """Regions down, since when, maintenance active."""
    yield "lifesize_account_down", _family("lifesize_account_down", (
        f'lifesize_account_down{{account="{a}",region="{r}"}} {"1.0" if s.down else "0.0"}\n'
        for s, a, r in series))
    since = "lifesize_account_down_since_timestamp_seconds"
    yield since, _family(since, (
        f'{since}{{account="{a}",region="{r}"}} {_go(s.down_since)}\n'
        for s, a, r in series if s.down and s.down_since is not None))
    maintenance = "lifesize_maintenance_active"
    yield maintenance, _family(maintenance, (
        f'{maintenance}{{account="{_escape(account.account)}"}}'
        f' {"1.0" if account.maintenance_active else "0.0"}\n'
        for account in snapshot.accounts))


def _sla_families(snapshot: Snapshot, series: list[_Series]) -> Iterator[_Family]:
    """The contractual figures (R6) by account and window, the objective, coverage."""
    windows = [(_escape(account.account), _escape(window), figures)
               for account in snapshot.accounts
               for window, figures in sorted(account.figures.items())]
    yield _by_window("lifesize_sla_unavailable_seconds", "unavailable_seconds", windows)
    yield _by_window("lifesize_sla_availability_ratio", "availability", windows)
    yield _by_window("lifesize_sla_error_budget_remaining_seconds",
                     "error_budget_remaining_seconds", windows)
    yield "lifesize_sla_objective_ratio", _objective(snapshot)
    yield _by_window("lifesize_sla_observed_down_seconds", "observed_down_seconds", windows)
    name = "lifesize_probe_coverage_ratio"
    yield name, _family(name, (
        f'{name}{{account="{a}",region="{r}",window="{_escape(window)}"}} {_go(value)}\n'
        for s, a, r in series for window, value in sorted(s.coverage.items())))


def _by_window(name: str, attribute: str,
               windows: list[tuple[str, str, AccountFigures]]) -> _Family:
    """A gauge of every (escaped account, escaped window, figures), from one field."""
    return name, _family(name, (
        f'{name}{{account="{a}",window="{w}"}} {_go(getattr(figures, attribute))}\n'
        for a, w, figures in windows))


def _objective(snapshot: Snapshot) -> Iterator[str]:
    """``lifesize_sla_objective_ratio``: one objective, repeated per account."""
    name, objective = "lifesize_sla_objective_ratio", _go(snapshot.objective)
    return _family(name, (
        f'{name}{{account="{_escape(account.account)}"}} {objective}\n'
        for account in snapshot.accounts))


def _process_families(snapshot: Snapshot) -> Iterator[_Family]:
    """The agent itself: version, probe interval, scheduler lateness, store errors."""
    name = "lifesize_probe_build_info"
    yield name, _family(name, [f'{name}{{version="{_escape(snapshot.version)}"}} 1.0\n'])
    name = "lifesize_probe_interval_seconds"
    yield name, _family(name, [f"{name} {_go(snapshot.interval)}\n"])
    name = "lifesize_probe_scheduler_lateness_seconds"
    lateness = snapshot.lateness
    les = tuple(repr(float(bound)) for bound in lateness.buckets)
    yield name, _family(name, _histogram(
        name, lateness, les, head='{le="', tail='"}', plain=""))
    name = "lifesize_probe_store_errors"
    yield name, _family(name, [f"{name}_total {_go(snapshot.store_errors_total)}\n"])


def exposition_for(snapshot: Snapshot, role: str = "standalone") -> tuple[bytes, bytes]:
    """The exposition of ``role`` (all families by default) and its gzip copy
    (``Snapshot.exposition*``), rendered together in the agent's worker thread."""
    exposition = render(snapshot, wanted(role))
    return exposition, gzip_exposition(exposition)


def gzipped_exposition_for(snapshot: Snapshot, role: str) -> bytes:
    """Only the gzip copy (``Snapshot.exposition_gzip``), written without the plain text
    ever whole in memory: what a probing agent keeps at 10,000 series."""
    return render_gzip(snapshot, wanted(role))
