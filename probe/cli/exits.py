"""What every command's exit status means, in one place: scripts and CI jobs rely on it.

- ``OK`` (0): done;
- ``FAILED`` (1): the input was fine but the answer is no, or the command could not do
  its work: nothing to claim, an address already in use;
- ``BAD_INPUT`` (2): a config, results file, store URL, secret or option is wrong, or a
  tool the command needs (Chromium for a PDF) is missing; the one-line message names
  the file, line, key or option;
- ``INTERRUPTED`` (130): Ctrl-C, as a shell reports SIGINT.

``guarded`` runs a command and turns the errors that mean bad input into their line on
stderr and ``BAD_INPUT``: each such error's text is already the whole message.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from probe.claim import ClaimError
from probe.config import ConfigError
from probe.credentials import SecretError
from probe.reports.pdf import PdfError
from probe.results_file import ResultsFileError
from probe.store import StoreError

OK, FAILED, BAD_INPUT, INTERRUPTED = 0, 1, 2, 130

BAD_INPUT_ERRORS = (ConfigError, ResultsFileError, StoreError, SecretError, ClaimError,
                    PdfError)


def guarded(command: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """``command(args)``, with bad input and Ctrl-C as exit codes, not tracebacks."""
    try:
        return command(args)
    except BAD_INPUT_ERRORS as exc:
        print(exc, file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return INTERRUPTED
