"""The use cases every face calls (CLI, web, demo): plain functions over an engine and the settings that open
their own sessions and return typed results. No face touches a session or an ORM model; the queries live in
`db/`, the pure rules in `monitor/` (digest, archive views), and these functions join the two.

- `catalogue`: what subscribers may follow (regions, metrics with their Chinese names, themes, document types)
  and the validation of filters against it, with suggestions for near misses.
- `subscriptions`: subscribe with double opt-in, confirm, unsubscribe, preferences, and the operator's commands
  (a subscriber is an address, or a webhook or group robot: `add_channel_subscriber`).
- `reads`: documents (filtered, paginated, or all of a region), one document with its figures and changes, a
  metric's history, a stored document's extraction, source health, health of the service and `/metrics`.
- `database`: open the database, check and upgrade its schema (the faces hold the engine as an opaque handle).
- `operations`: the registry synced into the database, `govmon status`, documents held for review.
- `comparisons`: one metric across regions, the matrix, the national picture of a digest.
- `summary`: what a database holds per region (the demo's closing table) and the row counts of its tables.

It may import `db/`, `crawler/` and every other part of `monitor/`; only the faces import it.
"""
