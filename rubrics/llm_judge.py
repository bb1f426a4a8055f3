"""The LLM judge: one structured call per dimension, run concurrently, strict and verified.

Every call sends the same prefix, so the provider's prompt cache serves the fan-out:

1. the **system message**: instructions and the rubric, nothing else;
2. a **user message** with the grading material (the problem, what an answer must name, key
   points, pitfalls, the curveballs' strong responses, the level's expectations, the reference
   estimates recomputed with the figures the interviewer gave, the measured time) and then the
   transcript, cleaned of grader-directed text, between markers carrying a random token drawn
   for this grading run (look-alikes of the markers inside turns are neutralised);
3. then only the short request for one dimension differs.

Measured time is a fact; the estimation is judged by the model against the references, not
dictated by the code's own estimation check. An answer is validated strictly: the score must be
the integer 1, 2, 3 or 4 (not "4", not true, not 7). An invalid answer gets one repair request,
then the dimension is left unscored; nothing is clamped or defaulted. Evidence is verified
afterwards in :mod:`rubrics.grading`.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
from pathlib import Path
from typing import Annotated

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from llm import (
    DEFAULT_RETRY,
    Model,
    ProviderError,
    RetryPolicy,
    StructuredPrompt,
    Usage,
    call_with_retry,
)
from llm.prices import PriceTable, load_price_table
from rubrics.injection import neutralise_delimiters
from rubrics.judge import GradingContext, JudgedDimension, Progress
from rubrics.rubric import Dimension
from rubrics.scorecard import Cost, Evidence

__all__ = ["JUDGE_PROMPT_VERSION", "DimensionGrade", "LLMJudge", "grade_schema"]

JUDGE_PROMPT_VERSION = "judge.v2"
TOOL_NAME = "record_grade"
MAX_OUTPUT_TOKENS = 900
_PROMPTS = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("prompts")),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,
)
_PROMPTS.filters["sig"] = lambda value: f"{value:.4g}"


class QuotedEvidence(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    turn_id: int
    quote: str = Field(max_length=1000)


class DimensionGrade(BaseModel):
    """The judge's answer, validated strictly: no coercion of "4" or true, nothing outside 1-4.

    Field order is generation order: evidence, reasoning, then score.
    """

    model_config = ConfigDict(strict=True, extra="forbid")

    evidence: list[QuotedEvidence] = Field(max_length=8)
    reasoning: str = Field(max_length=4000)
    score: Annotated[int, Field(ge=1, le=4)]


def grade_schema() -> dict:
    """A strict JSON schema (every field required, no extras) in the order to generate."""
    return {
        "type": "object",
        "properties": {
            "evidence": {
                "type": "array",
                "description": "Verbatim quotes from candidate turns, with the turn id.",
                "items": {
                    "type": "object",
                    "properties": {
                        "turn_id": {"type": "integer"},
                        "quote": {"type": "string"},
                    },
                    "required": ["turn_id", "quote"],
                    "additionalProperties": False,
                },
            },
            "reasoning": {"type": "string"},
            "score": {"type": "integer", "enum": [1, 2, 3, 4]},
        },
        "required": ["evidence", "reasoning", "score"],
        "additionalProperties": False,
    }


class _Unscored(Exception):
    pass


class LLMJudge:
    def __init__(
        self,
        model: Model,
        *,
        concurrency: int = 4,
        timeout: float = 60.0,
        samples: int = 1,
        price_table: PriceTable | None = None,
        marker: str | None = None,
        warm_cache: bool = True,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep=asyncio.sleep,
    ) -> None:
        if samples < 1:
            raise ValueError("samples must be at least 1")
        self.model = model
        self.name = str(model.id)
        self.retry = retry
        self.sleep = sleep
        self.prompt_version = JUDGE_PROMPT_VERSION
        self.concurrency = concurrency
        self.timeout = timeout
        self.samples = samples
        self.price_table = price_table or load_price_table()
        self._marker = marker
        self.warm_cache = warm_cache

    # -- prompts ----------------------------------------------------------------------------

    def system_prompt(self, context: GradingContext, marker: str) -> str:
        """Instructions and the rubric; no problem material, no candidate text."""
        return _PROMPTS.get_template(f"{JUDGE_PROMPT_VERSION}.system.j2").render(
            marker=marker,
            level=context.transcript.level,
            dimensions=context.rubric.judged_dimensions,
        )

    def material(self, context: GradingContext, marker: str) -> str:
        """The grading material and the transcript: the first user message, shared by all."""
        transcript = context.transcript
        level = transcript.level
        turns = [
            turn.model_copy(update={"text": neutralise_delimiters(turn.text, marker)})
            for turn in transcript.turns
            if turn.text.strip()
        ]
        return _PROMPTS.get_template(f"{JUDGE_PROMPT_VERSION}.material.j2").render(
            marker=marker,
            problem=context.problem,
            level=level,
            level_expectation=getattr(context.problem.level_expectations, level),
            estimates=context.references,
            time_rows=context.time_rows,
            turns=turns,
            notes=neutralise_delimiters(transcript.notes, marker),
        )

    def dimension_request(self, dimension: Dimension, level: str) -> str:
        return _PROMPTS.get_template(f"{JUDGE_PROMPT_VERSION}.dimension.j2").render(
            dimension=dimension, level=level
        )

    # -- grading ----------------------------------------------------------------------------

    async def judge(
        self, context: GradingContext, dimensions: list[Dimension], progress: Progress
    ) -> tuple[dict[str, JudgedDimension], Cost]:
        marker = self._marker or secrets.token_hex(8)
        system = self.system_prompt(context, marker)
        shared = self.material(context, marker)
        cache_key = f"{JUDGE_PROMPT_VERSION}:{context.problem.id}:{marker}"
        semaphore = asyncio.Semaphore(self.concurrency)
        usages: list[Usage] = []
        level = context.transcript.level

        async def one_sample(dimension: Dimension) -> DimensionGrade:
            async with semaphore:
                request = self.dimension_request(dimension, level)
                return await self._ask(dimension, system, shared, request, cache_key, usages)

        async def one_dimension(dimension: Dimension) -> JudgedDimension:
            progress(dimension.id, "started")
            outcomes = await asyncio.gather(
                *(one_sample(dimension) for _ in range(self.samples)), return_exceptions=True
            )
            result = self._combine(outcomes)
            progress(dimension.id, "done" if result.score is not None else "unscored")
            return result

        results = []
        rest = list(dimensions)
        if self.warm_cache and len(rest) > 1:
            # One call first writes the shared prefix to the provider's cache; the fan-out
            # that follows reads it instead of paying for it again.
            results.append(await one_dimension(rest.pop(0)))
        results += await asyncio.gather(*(one_dimension(d) for d in rest))
        return dict(zip((d.id for d in dimensions), results, strict=True)), self._cost(usages)

    async def _ask(
        self,
        dimension: Dimension,
        system: str,
        shared: str,
        request: str,
        cache_key: str,
        usages: list[Usage],
    ) -> DimensionGrade:
        messages = [{"role": "user", "content": request}]
        temperature = 0.0 if self.samples == 1 else 0.7
        for attempt in range(2):
            prompt = StructuredPrompt(
                system=system,
                shared=shared,
                messages=tuple(messages),
                schema=grade_schema(),
                schema_name=TOOL_NAME,
                description="Record the grade of one rubric dimension.",
                max_tokens=MAX_OUTPUT_TOKENS,
                temperature=temperature,
                cache_key=cache_key,
                timeout=self.timeout,
            )
            try:
                reply = await call_with_retry(
                    lambda prompt=prompt: self._attempt(prompt), policy=self.retry, sleep=self.sleep
                )
            except ProviderError as exc:
                own = exc.message.startswith("the judge")  # its own timeout
                message = exc.message if own else f"the judge call failed: {exc.message}"
                raise _Unscored(message) from None
            usages.append(reply.usage)
            try:
                if reply.refusal:
                    raise ValueError(f"the model refused or was cut off: {reply.refusal}")
                return DimensionGrade.model_validate_json(reply.text)
            except (ValidationError, ValueError) as exc:
                error = _short_error(exc)
                if attempt == 1:
                    raise _Unscored(f"invalid answer after one repair: {error}") from None
                repair = _PROMPTS.get_template(f"{JUDGE_PROMPT_VERSION}.repair.j2").render(
                    error=error, dimension_id=dimension.id
                )
                messages = [
                    *messages,
                    {"role": "assistant", "content": reply.text or "(empty)"},
                    {"role": "user", "content": repair},
                ]
        raise AssertionError("unreachable")

    async def _attempt(self, prompt: StructuredPrompt):
        """One call, cut off at the judge's timeout (which is not retried)."""
        try:
            return await asyncio.wait_for(self.model.structured(prompt), timeout=self.timeout)
        except TimeoutError:
            raise ProviderError(f"the judge timed out after {self.timeout:g} s") from None

    def _combine(self, outcomes: list[DimensionGrade | BaseException]) -> JudgedDimension:
        grades = [outcome for outcome in outcomes if isinstance(outcome, DimensionGrade)]
        errors = []
        for outcome in outcomes:
            if isinstance(outcome, _Unscored):
                errors.append(str(outcome))
            elif isinstance(outcome, BaseException):
                errors.append(f"the judge failed: {type(outcome).__name__}: {outcome}")
        if not grades:
            return JudgedDimension(None, error="; ".join(dict.fromkeys(errors)) or "no answer")
        scores = [grade.score for grade in grades]
        median = statistics.median_low(scores)
        chosen = next(grade for grade in grades if grade.score == median)
        flags = [f"{len(errors)} of {len(outcomes)} samples failed: {errors[0]}"] if errors else []
        evidence = [
            Evidence(turn_id=item.turn_id, t=0.0, quote=item.quote) for item in chosen.evidence
        ]
        return JudgedDimension(
            median,
            rationale=chosen.reasoning,
            evidence=evidence,
            flags=flags,
            samples=scores if self.samples > 1 else [],
            spread=(max(scores) - min(scores)) if self.samples > 1 else None,
        )

    def _cost(self, usages: list[Usage]) -> Cost:
        total = Usage(
            input_tokens=sum(u.input_tokens for u in usages),
            cached_input_tokens=sum(u.cached_input_tokens for u in usages),
            output_tokens=sum(u.output_tokens for u in usages),
        )
        return Cost(
            calls=len(usages),
            input_tokens=total.input_tokens,
            cached_input_tokens=total.cached_input_tokens,
            output_tokens=total.output_tokens,
            cost_usd=self.price_table.cost_usd(self.model.price_key, total),
        )


def _short_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "answer"
        return f"{where}: {first['msg']}"
    return str(exc)[:300]
