"""coordcheck.kolla.render.budget: one size and time budget per render, charged by everything that builds a
string, a sequence or an integer, and operations refused before they build too much."""

import time

import pytest

from coordcheck.kolla.render import budget
from coordcheck.kolla.render.budget import MAX_BUILT, MAX_INT_BITS, BudgetExceeded, TemplateTimeout


def test_what_a_value_costs():
    assert budget.size_of("abc") == 3 and budget.size_of(b"ab") == 2
    assert budget.size_of(["ab", "c", 1]) == 3 + 3 and budget.size_of({"k": "vv"}) == 1 + 2
    assert budget.size_of(12345) == 1


def test_a_value_past_the_bound_is_refused_and_one_within_is_returned():
    assert budget.bounded("x" * 5) == "xxxxx" and budget.bounded(2 ** 100) == 2 ** 100
    with pytest.raises(BudgetExceeded, match=f"building a value longer than {MAX_BUILT}"):
        budget.bounded("x" * (MAX_BUILT + 1))
    with pytest.raises(BudgetExceeded, match=f"an integer larger than {MAX_INT_BITS} bits"):
        budget.bounded(1 << (MAX_INT_BITS + 1))


def test_one_budget_per_render_shared_by_the_renders_nested_in_it():
    with budget.budget(size=10) as outer:
        with budget.budget() as nested:
            assert nested is outer
        budget.bounded("x" * 6)
        with pytest.raises(BudgetExceeded, match="builds more than 10 characters in all"):
            budget.bounded("x" * 6)
    budget.bounded("x" * 6)  # the render is over: no budget is charged


def test_the_time_budget_is_checked_from_inside_the_render():
    with budget.budget(seconds=0.05):
        budget.tick()
        time.sleep(0.1)
        with pytest.raises(TemplateTimeout):
            list(budget.ticking(range(3)))


@pytest.mark.parametrize("name, args, says", [
    ("center", ("x", 10 ** 9), "a width larger than"),
    ("format", ("%0999999999d", 1), "a width larger than"),
    ("replace", ("a" * 1000, "a", "a" * 2000), "building a value longer than"),
    ("join", (["x" * 600000, "y" * 600000],), "building a value longer than"),
], ids=["center", "format", "replace", "join"])
def test_an_operation_is_refused_before_it_runs(name, args, says):
    with pytest.raises(BudgetExceeded, match=says):
        budget.precheck(name, args, {})
    budget.precheck(name, ("x", 10) if name == "center" else ("%5d", 1) if name == "format" else ("ab", "a", "b")
                    if name == "replace" else (["x", "y"],), {})


@pytest.mark.parametrize("operator, left, right, says", [
    ("**", 9, 65, "an exponent larger than 64"),
    ("**", 2 ** 2000, 64, "an exponent that builds an integer larger than"),
    ("*", 2 ** 40000, 2 ** 30000, "building an integer larger than"),
    ("*", "x", 10 ** 7, "building a value longer than"),
    ("+", "x" * 600000, "y" * 600000, "building a value longer than"),
    ("%", "%0999999999d", 1, "a width larger than"),
], ids=["exponent", "power", "product", "repeat", "concat", "percent-width"])
def test_an_operator_is_refused_before_it_builds_too_much(operator, left, right, says):
    with pytest.raises(BudgetExceeded, match=says):
        budget.binop(operator, left, right)
    budget.binop(operator, 3, 4)  # small operands pass
