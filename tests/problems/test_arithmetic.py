"""The formula evaluator accepts arithmetic and nothing else."""

from __future__ import annotations

import pytest

from problems.arithmetic import ArithmeticError_, evaluate


def test_arithmetic_with_named_inputs():
    assert evaluate("urls * bytes / 1e12", {"urls": 100e9, "bytes": 500}) == 50.0
    assert evaluate("ceil(log2(n) / log2(62))", {"n": 100e9}) == 7
    assert evaluate("max(a, b) - -c ** 2", {"a": 1, "b": 3, "c": 2}) == 7


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("__import__('os').system('true')", "unsupported"),
        ("a.real", "unsupported"),
        ("unknown * 2", "unknown input"),
        ("a / 0", "divides by zero"),
        ("a *", "not valid arithmetic"),
        ("open('x')", "unsupported"),
    ],
)
def test_anything_else_is_refused(formula, message):
    with pytest.raises(ArithmeticError_, match=message):
        evaluate(formula, {"a": 1.0})
