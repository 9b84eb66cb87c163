import toolkit.tokens
import toolkit.tokens.langchain
import toolkit.tokens.testing

EXPECTED = {
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
}


def test_public_names_are_pinned() -> None:
    assert set(toolkit.tokens.__all__) == EXPECTED
    for name in EXPECTED:
        assert getattr(toolkit.tokens, name) is not None


def test_submodule_surfaces() -> None:
    assert toolkit.tokens.langchain.__all__ == ["ChatTokenService", "to_openai_messages"]
    assert set(toolkit.tokens.testing.__all__) == {
        "BrokenStream",
        "ScriptedServer",
        "completion",
        "completion_body",
        "sse_body",
        "streamed",
    }


def test_errors_share_roots_and_builtins() -> None:
    from toolkit.errors import ToolkitError

    t = toolkit.tokens
    for cls, builtin in [
        (t.PayloadError, ValueError),
        (t.ApiKeyMissingError, LookupError),
        (t.BudgetExceededError, RuntimeError),
        (t.RequestRejectedError, ValueError),
        (t.ResponseFormatError, ValueError),
        (t.EndpointUnavailableError, ConnectionError),
        (t.RateLimitedError, t.EndpointUnavailableError),
        (t.ResponseTooLargeError, t.ResponseFormatError),
        (t.DeadlineExceededError, t.EndpointUnavailableError),
        (t.DeadlineExceededError, TimeoutError),
    ]:
        assert issubclass(cls, t.TokenServiceError)
        assert issubclass(cls, ToolkitError)
        assert issubclass(cls, builtin)
