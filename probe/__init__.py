"""lifesize-probe: synthetic availability probes for Lifesize Cloud and SLA accounting."""

__version__ = "0.1.0"
