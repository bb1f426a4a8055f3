"""A tiny, safe evaluator for the arithmetic of reference estimates.

Formulas are plain arithmetic over named inputs: numbers, names, ``+ - * / // % **``,
parentheses, unary minus, and the functions ``min``, ``max``, ``ceil``, ``log2``, ``sqrt``.
Nothing else is accepted, so a problem file can never run code.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping

__all__ = ["ArithmeticError_", "evaluate"]


class ArithmeticError_(ValueError):
    """A formula that is not plain arithmetic, names an unknown input, or divides by zero."""


_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "min": min,
    "max": max,
    "ceil": math.ceil,
    "log2": math.log2,
    "sqrt": math.sqrt,
}


def evaluate(formula: str, inputs: Mapping[str, float]) -> float:
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError as exc:
        raise ArithmeticError_(f"formula {formula!r} is not valid arithmetic: {exc.msg}") from exc
    try:
        return float(_eval(tree.body, inputs))
    except ZeroDivisionError as exc:
        raise ArithmeticError_(f"formula {formula!r} divides by zero") from exc


def _eval(node: ast.AST, inputs: Mapping[str, float]) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in inputs:
            raise ArithmeticError_(f"formula uses unknown input {node.id!r}")
        return inputs[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_eval(node.left, inputs), _eval(node.right, inputs))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _eval(node.operand, inputs)
        return -value if isinstance(node.op, ast.USub) else value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
    ):
        return _FUNCTIONS[node.func.id](*(_eval(arg, inputs) for arg in node.args))
    raise ArithmeticError_(f"unsupported expression: {ast.unparse(node)!r}")
