"""CPU per token of reading a provider's stream: the SDKs' parsed streams against this
project's models (the SDK's streamed response read by httpx-sse), side by side, per provider.

    .venv/bin/python -m bench.sdk_stream_cost [--streams 100] [--rounds 3]

Starts bench/fake_upstream.py and reads ``--streams`` concurrent replies of 50 tokens from it
in this process, measuring the process's CPU time per token received (the fake runs in its
own process, so its CPU is not counted). Rounds alternate between the readers.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time

from anthropic import AsyncAnthropic
from openai import AsyncOpenAI

from bench.stream_bench import free_port, wait_listening
from llm import ChatPrompt, StreamEnd
from llm.anthropic_models import AnthropicModel
from llm.openai_models import OpenAIModel

PROMPT = ChatPrompt(system="You are the interviewer.", history=({"role": "user", "content": "Hi"},))


def readers(port: int) -> dict:
    openai = AsyncOpenAI(api_key="bench", base_url=f"http://127.0.0.1:{port}/v1", max_retries=0)
    anthropic = AsyncAnthropic(api_key="bench", base_url=f"http://127.0.0.1:{port}", max_retries=0)
    openai_model, anthropic_model = OpenAIModel("bench", openai), AnthropicModel("bench", anthropic)

    async def openai_parsed() -> int:
        stream = await openai.chat.completions.create(
            model="bench",
            messages=[{"role": "user", "content": "Hi"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        count = 0
        async with stream:
            async for chunk in stream:
                count += sum(1 for choice in chunk.choices if choice.delta.content)
        return count

    async def anthropic_parsed() -> int:
        count = 0
        async with anthropic.messages.stream(
            model="bench", max_tokens=600, messages=[{"role": "user", "content": "Hi"}]
        ) as stream:
            async for _ in stream.text_stream:
                count += 1
        return count

    def ours(model):
        async def read() -> int:
            return sum(
                [1 async for item in model.stream(PROMPT) if not isinstance(item, StreamEnd)]
            )

        return read

    return {
        "OpenAI, SDK parsed stream": openai_parsed,
        "OpenAI, llm.OpenAIModel": ours(openai_model),
        "Anthropic, SDK messages.stream": anthropic_parsed,
        "Anthropic, llm.AnthropicModel": ours(anthropic_model),
    }


async def cost(read, streams: int) -> float:
    """CPU µs per token for ``streams`` concurrent reads."""
    started = time.process_time()
    tokens = sum(await asyncio.gather(*(read() for _ in range(streams))))
    return (time.process_time() - started) / tokens * 1e6


async def main(streams: int, rounds: int) -> None:
    port = free_port()
    upstream = subprocess.Popen(
        [sys.executable, "-m", "bench.fake_upstream", str(port), "50", "500"]
    )
    try:
        await wait_listening(port)
        chosen = readers(port)
        for read in chosen.values():  # warm up: connections, imports
            await cost(read, 10)
        figures: dict[str, list[float]] = {name: [] for name in chosen}
        for _ in range(rounds):
            for name, read in chosen.items():
                figures[name].append(await cost(read, streams))
        print(f"# {streams} concurrent streams of 50 tokens, {rounds} rounds, CPU µs per token")
        print("| reader | median | min | max |")
        print("|---|---|---|---|")
        for name, values in figures.items():
            print(
                f"| {name} | {statistics.median(values):.1f} | {min(values):.1f} | "
                f"{max(values):.1f} |"
            )
    finally:
        upstream.terminate()
        upstream.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    import uvloop

    uvloop.run(main(arguments.streams, arguments.rounds))
