"""The one xdist group of the tests that drive browser probes and WebRTC calls.

A call costs both ends a video encoder and decoder. Four workers running such tests at
once starved the suite's timing tests (kill -9 rounds, clock jumps, the 1,000 faulty
probes) on the 2-core CI machine, so these modules share one group: with
``--dist loadgroup`` one worker runs them, one after another, while the others run
the rest. (The status page's and the PDF's browser tests only render pages: they keep
their own groups.)
"""

from __future__ import annotations

import pytest

BROWSER_PROBES = pytest.mark.xdist_group("browser_probes")
