"""Maintenance announced on an Atlassian Statuspage, imported as R3 windows.

Lifesize publishes incidents and maintenance on a Statuspage whose public JSON lists the
latest 50 scheduled maintenances. The agent polls it (``maintenance.import``) and keeps
every window in its store, so a window stays after it drops off the list.

- ``parse``: the JSON document to ``Announced`` records, item by item; a bad item is a
  one-line problem, never an exception (pure);
- ``plan``: what to store, replace and remove given what is stored (pure);
- ``poller``: fetch over HTTP, then parse, plan and apply; never raises into the agent.
"""
