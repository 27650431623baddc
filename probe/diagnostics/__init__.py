"""The diagnostics directory: the files failed browser probes leave for a claim.

Lifesize's claim procedure asks for "a diagnostic file from the impacted Lifesize
software client or system". A browser probe's screenshot, Playwright trace, console log
and WebRTC statistics are that file. They live in one folder per probe attempt,

    <dir>/<account>/<region>/<UTC time>-<attempt>/screenshot.png, trace.zip, ...

named so that ``ls`` sorts them by time, and each is referred to from the stored failure
by its path relative to ``<dir>`` and its sha256 (``probe.model.DiagnosticFile``).
"""

from __future__ import annotations

from probe.diagnostics.folders import DiagnosticsDir, ProbeFolder, default_dir

__all__ = ["DiagnosticsDir", "ProbeFolder", "default_dir"]
