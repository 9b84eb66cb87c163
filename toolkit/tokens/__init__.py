"""The shared token-service client, tuned for prefix-cache reuse.

One client for every agent: prefix-stable request bodies, affinity keys in each
dialect's form, routing over several endpoints, retries and failover, usage
normalized across dialects, an exact-match response cache, a ledger with
budgets, and (in `toolkit.tokens.langchain`) a LangChain chat model on top.
"""

from toolkit.errors import (
    ApiKeyMissingError,
    BudgetExceededError,
    DeadlineExceededError,
    EndpointUnavailableError,
    PayloadError,
    RateLimitedError,
    RequestRejectedError,
    ResponseFormatError,
    ResponseTooLargeError,
    TokenServiceError,
)
from toolkit.tokens.affinity import affinity_key, tenant_salt
from toolkit.tokens.base import BaseTokenClient
from toolkit.tokens.budget import Budget
from toolkit.tokens.canonical import canonical_dumps, encode_body
from toolkit.tokens.client import AsyncTokenClient, TokenClient
from toolkit.tokens.endpoint import Endpoint
from toolkit.tokens.faults import RetryPolicy
from toolkit.tokens.ledger import Ledger, LedgerRow, Totals
from toolkit.tokens.local import EndpointTransport, ideal_cache_bound, local_transport
from toolkit.tokens.payload import build_core_payload, tool_message
from toolkit.tokens.pricing import ModelPrice, PriceTable
from toolkit.tokens.response_cache import ResponseCache, ResponseCacheWarning
from toolkit.tokens.results import ChatResult, StreamEvent, ToolCall, ToolCallChunk
from toolkit.tokens.routing import CircuitBreaker, Router
from toolkit.tokens.timings import ServerTimings
from toolkit.tokens.usage import Usage, normalize_usage

__all__ = [
    "ApiKeyMissingError",
    "AsyncTokenClient",
    "BaseTokenClient",
    "Budget",
    "BudgetExceededError",
    "ChatResult",
    "CircuitBreaker",
    "DeadlineExceededError",
    "Endpoint",
    "EndpointTransport",
    "EndpointUnavailableError",
    "Ledger",
    "LedgerRow",
    "ModelPrice",
    "PayloadError",
    "PriceTable",
    "RateLimitedError",
    "RequestRejectedError",
    "ResponseCache",
    "ResponseCacheWarning",
    "ResponseFormatError",
    "ResponseTooLargeError",
    "RetryPolicy",
    "Router",
    "ServerTimings",
    "StreamEvent",
    "TokenClient",
    "TokenServiceError",
    "ToolCall",
    "ToolCallChunk",
    "Totals",
    "Usage",
    "affinity_key",
    "build_core_payload",
    "canonical_dumps",
    "encode_body",
    "ideal_cache_bound",
    "local_transport",
    "normalize_usage",
    "tenant_salt",
    "tool_message",
]
