"""The 统一社会信用代码 (unified social credit code) of GB 32100-2015. Pure."""

from __future__ import annotations

from service.common.schemas import Violation

#: The 31 characters of the code, in value order (no I, O, S, V, Z).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: 3^(i-1) mod 31 for positions 1..17.
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise_code(code: str) -> str:
    return code.strip().upper()


def credit_code_violations(code: str) -> list[Violation]:
    """Empty when `code` (normalised) is a well-formed code with the right check character."""
    if len(code) != 18 or any(c not in ALPHABET for c in code):
        return [
            Violation(
                "credit_code",
                "The 统一社会信用代码 has 18 characters from 0-9 and A-Y without I, O, S, V, Z.",
            )
        ]
    if check_character(code[:17]) != code[17]:
        return [
            Violation(
                "credit_code",
                "The check character of the 统一社会信用代码 is wrong (GB 32100-2015).",
            )
        ]
    return []
