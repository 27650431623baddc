"""The agent's web side: ``/metrics``, the health checks, the status page, the
maintenance API and its OpenAPI document, all read from the current snapshot."""

from probe.agent.web.app import create_app

__all__ = ["create_app"]
