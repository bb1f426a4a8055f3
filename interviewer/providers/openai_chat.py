"""The interviewer on OpenAI chat completions, or any OpenAI-compatible server (vLLM, Ollama)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import httpcore2
import httpx2
import openai
from openai import AsyncOpenAI

from interviewer.base import TurnContext
from interviewer.context_window import DEFAULT_CONTEXT_TOKENS, chat_messages
from interviewer.prompts import INTERVIEWER_PROMPT_VERSION, render_system_prompt, render_turn_prompt
from interviewer.providers.http11 import raw_body
from interviewer.providers.sse import sse_data
from interviewer.providers.streaming import (
    DEFAULT_RETRY,
    ProviderFailure,
    ProviderInterviewer,
    RetryPolicy,
    StreamEnd,
    classify_sdk_error,
)
from interviewer.providers.transport import http_client
from interviewer.usage import Usage

__all__ = ["OpenAIChatInterviewer", "classify_openai_error"]

REPLY_MAX_TOKENS = 600
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def classify_openai_error(exc: Exception) -> ProviderFailure:
    return classify_sdk_error(openai, exc, name="OpenAI-compatible")


class OpenAIChatInterviewer(ProviderInterviewer):
    def __init__(
        self,
        *,
        model: str,
        api_key: str | None,
        base_url: str | None = None,
        timeout: float = 60.0,
        context_tokens: int = DEFAULT_CONTEXT_TOKENS,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        client: AsyncOpenAI | None = None,
    ) -> None:
        super().__init__(model=model, context_tokens=context_tokens, retry=retry, sleep=sleep)
        self.model_id = f"openai:{model}"
        # A self-hosted server has no token bill; the official API is priced by model.
        self.price_key = f"openai-compatible:{model}" if base_url else self.model_id
        self._client = client or AsyncOpenAI(
            api_key=api_key or "not-needed",  # local servers accept any key
            base_url=base_url,
            timeout=timeout,
            max_retries=0,  # one retry layer: ours, and only before the first token
            http_client=http_client(timeout=timeout),
        )
        self._headers: dict[str, str] | None = None
        self._url = ""
        self._prepared: tuple | None = None  # (client, URL, Headers, timeouts) for _build

    def _request(self, context: TurnContext) -> dict:
        messages = [
            {"role": "system", "content": render_system_prompt(context)},
            {"role": "system", "content": render_turn_prompt(context)},
            *chat_messages(context, budget_tokens=self._context_tokens),
        ]
        cache_key = ":".join(
            [INTERVIEWER_PROMPT_VERSION, context.problem.id, context.persona, context.level]
        )
        return {
            "model": self.model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": REPLY_MAX_TOKENS,
            "temperature": 0.4,
            "prompt_cache_key": f"{cache_key}:{context.minutes}",
        }

    async def _attempt(self, request: dict) -> AsyncIterator[str | StreamEnd]:
        response = await self._send(request)
        finished = False
        usage: Usage | None = None
        try:
            async for chunk in _chunks(response):
                if chunk.get("usage"):
                    usage = _usage(chunk["usage"])
                for choice in chunk.get("choices") or ():
                    content = (choice.get("delta") or {}).get("content")
                    if content:
                        yield content
                    if choice.get("finish_reason"):
                        finished = True
        finally:
            await response.aclose()
        if finished:
            yield StreamEnd(usage)

    async def _send(self, request: dict) -> httpx2.Response:
        """POST the request; the streamed response, or the SDK's exception for a failure.

        With a plain API key the request is built here, on the SDK's own HTTP client, with
        the SDK's headers: its per-request option models, transforms and auth hooks cost
        more than the rest of a turn's set-up. Otherwise (a key provider) the SDK sends it.
        """
        client = self._client
        if not isinstance(client.api_key, str) or getattr(client, "_api_key_provider", None):
            return await client.post(
                "/chat/completions",
                body=request,
                cast_to=httpx2.Response,
                stream=True,
                options={"security": {"bearer_auth": True}},
            )
        if self._headers is None:
            headers = {
                key: value
                for key, value in client.default_headers.items()
                if isinstance(value, str)
            }
            headers["Authorization"] = f"Bearer {client.api_key}"
            self._headers = headers
            self._url = f"{str(client.base_url).rstrip('/')}/chat/completions"
        http = client._client
        body = _dumps(request).encode()
        if http.cookies or http.params:  # the client carries state: let it merge that in
            outgoing = http.build_request("POST", self._url, content=body, headers=self._headers)
        else:
            outgoing = self._build(http, body)
        try:
            response = await http.send(outgoing, stream=True)
        except httpx2.TimeoutException as exc:
            raise openai.APITimeoutError(request=outgoing) from exc
        except httpx2.RequestError as exc:
            raise openai.APIConnectionError(request=outgoing) from exc
        if response.status_code >= 400:
            try:
                await response.aread()
            finally:
                await response.aclose()
            raise client._make_status_error_from_response(response)
        return response

    def _build(self, http: httpx2.AsyncClient, body: bytes) -> httpx2.Request:
        """What ``http.build_request`` builds for this POST when the client has no cookies or
        query parameters, from its URL, headers and timeouts merged once and kept."""
        if self._prepared is None or self._prepared[0] is not http:
            url = http._merge_url(self._url)
            headers = http._merge_headers(self._headers)
            self._prepared = (http, url, headers, http.timeout.as_dict())
        _, url, headers, timeout = self._prepared
        return httpx2.Request(
            "POST", url, content=body, headers=headers, extensions={"timeout": timeout}
        )

    def _prompt_text(self, request: dict) -> str:
        return "\n".join(message["content"] for message in request["messages"])

    def _classify(self, exc: Exception) -> ProviderFailure:
        return classify_openai_error(exc)


async def _chunks(response: httpx2.Response) -> AsyncIterator[dict]:
    """The JSON chunks of a chat completions stream, read to its end (so the connection can be
    reused); transport failures and error events raise what the SDK's own stream raises."""
    done = False
    body = raw_body(response) or response.aiter_bytes()
    try:
        async for raw in sse_data(body):
            if done:
                continue
            if raw.startswith("[DONE]"):
                done = True
                continue
            data = json.loads(raw)
            if not isinstance(data, dict):
                continue
            if data.get("error"):
                error = data["error"]
                message = error.get("message") if isinstance(error, dict) else None
                if not message or not isinstance(message, str):
                    message = "An error occurred during streaming"
                raise openai.APIError(message=message, request=response.request, body=error)
            yield data
    except (httpx2.TimeoutException, httpcore2.TimeoutException) as exc:
        raise openai.APITimeoutError(request=response.request) from exc
    except (httpx2.RequestError, httpcore2.NetworkError, httpcore2.ProtocolError) as exc:
        raise openai.APIConnectionError(request=response.request) from exc


def _usage(raw: dict) -> Usage:
    details = raw.get("prompt_tokens_details") or {}
    return Usage(
        input_tokens=raw.get("prompt_tokens") or 0,
        cached_input_tokens=details.get("cached_tokens") or 0,
        output_tokens=raw.get("completion_tokens") or 0,
    )
