import pytest

from app.pricing import Line, order_total


def test_a_total_adds_vat_to_the_sum_of_the_lines() -> None:
    assert order_total([Line("a", 2, 1000), Line("b", 1, 550)]) == 3060


def test_a_discount_comes_off_before_vat_and_rounds_half_up() -> None:
    assert order_total([Line("a", 1, 999)], discount_percent=10) == 1079


def test_an_empty_order_costs_nothing() -> None:
    assert order_total([]) == 0


@pytest.mark.parametrize("discount", [-1, 101])
def test_a_discount_outside_0_to_100_is_refused(discount: int) -> None:
    with pytest.raises(ValueError, match="discount_percent must be 0..100"):
        order_total([Line("a", 1, 100)], discount_percent=discount)


def test_a_line_without_quantity_is_refused() -> None:
    with pytest.raises(ValueError, match="quantity of at least 1"):
        order_total([Line("a", 0, 100)])
