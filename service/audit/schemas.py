"""Shapes of the audit-log API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class AuditEventOut(msgspec.Struct):
    id: int
    occurred_at: datetime
    action: str
    actor_user_id: int | None
    actor_email: str | None
    subject_user_id: int | None
    subject_email: str | None
    institution_id: int | None
    client_address: str
    detail: dict[str, Any]
