"""The use cases every face calls (CLI, web, demo): plain functions over an engine and the settings that open
their own sessions and return typed results. No face touches a session or an ORM model; the queries live in
`db/`, the pure rules in `monitor/` (digest, archive views), and these functions join the two.

- `catalogue`: what subscribers may follow (regions, metrics with their Chinese names, themes, document types)
  and the validation of filters against it, with suggestions for near misses.
- `subscriptions`: subscribe with double opt-in, confirm, unsubscribe, preferences, and the operator's commands.
- `reads`: documents (filtered, paginated), one document with its figures and changes, a metric's history,
  source health, health of the service and the counts behind `/metrics`.
"""
