"""The browser steps' actions, one Playwright call each, bounded by the step's deadline.

A selector that matches several elements means its first: web apps repeat buttons
(a header and a footer "Sign in"), and the config should not have to care.
While signing in, waiting for an element also ends when the wrong-password marker
shows, so that a refused password is named at once instead of after the deadline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from playwright.async_api import Locator, Page

from probe.config import MEDIA, BrowserStep
from probe.flows._page import status_failure
from probe.flows._template import render_text

__all__ = ["describe", "on_page", "perform"]

Variables = Mapping[str, Any]


def describe(step: BrowserStep) -> str:
    """The step as a log shows it (a selector, a URL template; never a typed value)."""
    waits = step.wait_for
    if waits is not None:
        return f"wait_for {waits.selector or waits.url or waits.text}"
    argument = step.goto or step.fill or step.click or step.expect
    return f"{step.action} {argument}"


async def perform(page: Page, step: BrowserStep, variables: Variables, *, timeout: float,
                  marker: str | None) -> None:
    """Do ``step`` (any action but ``expect: media``) within ``timeout`` seconds."""
    ms = float(max(1, round(timeout * 1000)))

    def text(value: str | None) -> str:
        return render_text(value or "", variables)

    if step.goto is not None:
        url = text(step.goto)
        response = await page.goto(url, timeout=ms)
        if response is not None and response.status >= 400:
            raise status_failure(response.status, url)
    elif step.fill is not None:
        await page.locator(text(step.fill)).first.fill(text(step.value), timeout=ms)
    elif step.click is not None:
        await page.locator(text(step.click)).first.click(timeout=ms)
    elif step.wait_for is not None and step.wait_for.url is not None:
        await page.wait_for_url(text(step.wait_for.url), timeout=ms)
    else:
        await _visible(page, _target(page, step, text), marker=marker, ms=ms)


async def on_page(page: Page, step: BrowserStep, variables: Variables) -> bool | None:
    """Whether the element ``step`` acts on or waits for is in the page at all (visible
    or not); ``None`` for a step with no element (``goto``, ``wait_for: url``,
    ``expect: media``)."""
    def text(value: str | None) -> str:
        return render_text(value or "", variables)

    if step.goto is not None or step.expect == MEDIA or (
            step.wait_for is not None and step.wait_for.url is not None):
        return None
    selector = step.fill or step.click
    locator = page.locator(text(selector)) if selector else _target(page, step, text)
    return await locator.count() > 0


def _target(page: Page, step: BrowserStep, text: Callable[[str | None], str]) -> Locator:
    """What a ``wait_for`` (selector or text) or ``expect`` step waits to see."""
    waits = step.wait_for
    if waits is not None and waits.text is not None:
        return page.get_by_text(text(waits.text))
    if waits is not None:
        return page.locator(text(waits.selector))
    locator = page.locator(text(step.expect))
    return locator if step.text is None else locator.filter(has_text=text(step.text))


async def _visible(page: Page, locator: Locator, *, marker: str | None, ms: float) -> None:
    if marker is not None:
        locator = locator.or_(page.locator(marker))
    await locator.first.wait_for(state="visible", timeout=ms)
