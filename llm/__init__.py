"""The provider layer: models by id, their credentials and clients, streaming and structured
calls through the SDKs' public APIs, usage and prices, error classification, the retry rule,
and a scripted fake model. The interviewer and the judge both use it; it imports neither."""

from llm.choice import Choice, Models
from llm.clients import Credentials
from llm.errors import ProviderError, classify
from llm.fake import FakeModel, Scripted
from llm.model import Model
from llm.model_ids import ModelId, UnknownModelError, parse_model_id
from llm.prices import PriceTable, load_price_table, price_key
from llm.prompt import ChatPrompt, StreamEnd, StructuredPrompt, StructuredReply
from llm.retry import DEFAULT_RETRY, RetryPolicy, call_with_retry, stream_with_retry
from llm.usage import Usage, count_tokens

__all__ = [
    "DEFAULT_RETRY",
    "ChatPrompt",
    "Choice",
    "Credentials",
    "FakeModel",
    "Model",
    "ModelId",
    "Models",
    "PriceTable",
    "ProviderError",
    "RetryPolicy",
    "Scripted",
    "StreamEnd",
    "StructuredPrompt",
    "StructuredReply",
    "UnknownModelError",
    "Usage",
    "call_with_retry",
    "classify",
    "count_tokens",
    "load_price_table",
    "parse_model_id",
    "price_key",
    "stream_with_retry",
]
