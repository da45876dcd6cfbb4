"""Shapes of evaluator assignments."""

from __future__ import annotations

from datetime import datetime

import msgspec


class EvaluatorOut(msgspec.Struct):
    user_id: int
    email: str
    display_name: str
    institution_id: int
    granted_at: datetime
