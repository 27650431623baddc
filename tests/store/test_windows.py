"""Maintenance windows declared through the agent: create, list, delete, durable."""

from __future__ import annotations

import pytest

from probe.model import MaintenanceWindow
from probe.store import Store, StoredWindow, StoreError
from tests.store.conftest import Backend
from tests.store.helpers import BASE


def window(**changes: object) -> StoredWindow:
    fields: dict[str, object] = {
        "id": "w1", "kind": "scheduled", "accounts": frozenset({"acme", "globex"}),
        "start": BASE, "end": BASE + 3600, "name": "db upgrade", "created_at": BASE - 60,
        "source": "api",
    }
    fields.update(changes)
    return StoredWindow(**fields)  # type: ignore[arg-type]


def test_windows_are_kept_listed_by_start_and_deleted(store: Store) -> None:
    later = window(id="w2", kind="emergency", accounts=None, start=BASE + 7200,
                   end=BASE + 7800, name="", source="import")
    store.add_window(later)
    store.add_window(window())
    assert store.windows() == [window(), later]
    assert store.delete_window("w1") is True
    assert store.delete_window("w1") is False
    assert store.windows() == [later]


def test_windows_survive_reopening(backend: Backend) -> None:
    backend.open().add_window(window(accounts=None))
    assert backend.open().windows() == [window(accounts=None)]


def test_a_taken_id_is_refused(store: Store) -> None:
    store.add_window(window())
    with pytest.raises(StoreError, match="maintenance window 'w1' already exists"):
        store.add_window(window(name="other"))


def test_declare_gives_a_fresh_id_and_the_engine_view() -> None:
    one = StoredWindow.declare(kind="customer_request", accounts=frozenset({"acme"}),
                               start=BASE, end=BASE + 60, created_at=BASE)
    two = StoredWindow.declare(kind="customer_request", accounts=None,
                               start=BASE, end=BASE + 60, created_at=BASE)
    assert one.id != two.id
    assert one.source == "api"
    assert one.to_window() == MaintenanceWindow(
        kind="customer_request", accounts=frozenset({"acme"}), start=BASE, end=BASE + 60
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "planned"}, "kind must be one of scheduled, emergency, customer_request"),
        ({"end": BASE}, "end must be after start"),
        ({"accounts": frozenset()}, "accounts must be non-empty names"),
        ({"accounts": frozenset({""})}, "accounts must be non-empty names"),
        ({"id": ""}, "id and source must be non-empty"),
    ],
)
def test_bad_windows_are_refused_naming_the_field(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        window(**changes)
