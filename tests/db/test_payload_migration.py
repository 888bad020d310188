"""Migration 0009 moves each outbox row's message into `delivery_payloads`, unchanged, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect, text

from db import outbox
from db.migrate import upgrade
from db.session import make_engine, session_scope


def test_messages_queued_before_move_to_their_own_table(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0008")
    message = "Subject: 摘要\r\n\r\n正文\r\n".encode() * 2000  # long enough to span many database pages
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO subscribers (id, email, email_key, regions, themes, metrics, doc_types, cadence,"
                          " format, status, created_at, channel) VALUES (1, 'a@example.org', 'a@example.org', '[]',"
                          " '[]', '[]', '[]', 'daily', 'text', 'active', '2025-03-05 09:00:00', 'email')"))  # fmt: skip
        for row, payload in ((1, message), (2, None)):
            conn.execute(
                text("INSERT INTO deliveries (id, subscriber_id, idempotency_key, message_id, status, attempts, "
                     "created_at, payload) VALUES (:id, 1, :key, '<k@x>', 'pending', 0, '2025-03-05 09:00:00', :p)"),
                {"id": row, "key": f"k{row}", "p": payload},
            )  # fmt: skip
    upgrade(engine)
    assert "payload" not in {c["name"] for c in inspect(engine).get_columns("deliveries")}
    with session_scope(engine) as s:
        assert outbox.payload_of(s, 1) == message and outbox.payload_of(s, 2) == b""
        assert [d.payload for d in outbox.list_deliveries(s)] == [message, None]
        outbox.remove_subscriber(s, "a@example.org")  # its deliveries go, and their messages with them
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM delivery_payloads")).scalar_one() == 0
    engine.dispose()
