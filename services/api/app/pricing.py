"""Order pricing: line totals, a percentage discount and VAT, in integer cents."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    sku: str
    quantity: int
    unit_cents: int


def order_total(lines: list[Line], discount_percent: int = 0, vat_percent: int = 20) -> int:
    """The total in cents: lines summed, the discount taken off, VAT added, rounded half up."""
    if not 0 <= discount_percent <= 100:
        raise ValueError(f"discount_percent must be 0..100, got {discount_percent}")
    if any(line.quantity < 1 or line.unit_cents < 0 for line in lines):
        raise ValueError("every line needs a quantity of at least 1 and a non-negative price")
    net = sum(line.quantity * line.unit_cents for line in lines)
    discounted = net * (100 - discount_percent)
    return (discounted * (100 + vat_percent) + 5000) // 10000
