"""`ChatTokenService`: a LangChain chat model over the token-service client.

Tools, streaming, async and ``usage_metadata`` (with
``input_token_details.cache_read``) come from the client; per-turn volatile
data goes in ``context=`` (``model.invoke(messages, context=...)``) so it lands
at the tail of the request, never in the system prompt.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any

import httpx
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.base import LangSmithParams
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    message_chunk_to_message,
)
from langchain_core.messages.ai import InputTokenDetails, UsageMetadata
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from toolkit.errors import PayloadError
from toolkit.tokens.budget import Budget
from toolkit.tokens.canonical import canonical_dumps
from toolkit.tokens.client import AsyncTokenClient, TokenClient
from toolkit.tokens.content_blocks import split_tool_results, split_tool_uses
from toolkit.tokens.endpoint import Dialect, Endpoint
from toolkit.tokens.pricing import PriceTable
from toolkit.tokens.results import ChatResult as TokenResult
from toolkit.tokens.results import StreamEvent
from toolkit.tokens.usage import Usage

__all__ = ["ChatTokenService", "to_openai_messages"]

_CALL_OPTIONS = ("tools", "tool_choice", "context", "session_id", "cache")


class ChatTokenService(BaseChatModel):
    """LangChain chat model backed by `TokenClient` / `AsyncTokenClient`.

    Construct it as ``ChatTokenService(model="m", base_url="http://host/v1")``
    (``base_url`` defaults to ``"local"``, the embedded engine), with
    ``endpoints=[Endpoint(...), ...]`` to route over several, or with
    ``client=TokenClient(...)`` to share a configured client.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, populate_by_name=True)

    model: str | None = Field(default=None, alias="model_name")
    """Model name (taken from ``endpoints`` or ``client`` when not given)."""
    base_url: str | None = None
    """Endpoint base URL, or ``"local"`` (the default) for the embedded engine."""
    dialect: Dialect = "openai"
    """Server dialect of ``base_url``."""
    api_key: SecretStr | None = Field(default=None, repr=False, exclude=True)
    """API key for ``base_url``; prefer ``api_key_env``."""
    api_key_env: str | None = None
    """Environment variable holding the key for ``base_url``."""
    endpoints: list[Endpoint] | None = None
    """Several endpoints to route over (instead of ``base_url``)."""
    client: TokenClient | None = Field(default=None, exclude=True)
    """A configured synchronous client to use."""
    async_client: AsyncTokenClient | None = Field(default=None, exclude=True)
    """A configured asynchronous client to use."""
    tenant: str | None = None
    project: str | None = None
    session_id: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    stop: list[str] | None = None
    timeout: float | None = None
    max_retries: int = 2
    streaming: bool = False
    cache_path: str | None = None
    ledger_path: str | None = None
    budget: Budget | None = None
    prices: PriceTable | None = None
    transport: Any = Field(default=None, exclude=True)
    """An httpx transport for tests (``httpx.MockTransport``) or the embedded engine."""

    _sync: TokenClient | None = PrivateAttr(default=None)
    _async: AsyncTokenClient | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _resolve(self) -> ChatTokenService:
        given = [x for x in (self.endpoints, self.client) if x]
        if len(given) > 1 or (given and self.base_url is not None):
            raise ValueError("give exactly one of base_url, endpoints or client")
        if self.client is not None:
            self.model = self.model or self.client.endpoints[0].model
        elif self.endpoints:
            self.model = self.model or self.endpoints[0].model
        elif not self.model:
            raise ValueError("model is required with base_url (e.g. model='qwen3-8b')")
        return self

    @property
    def _llm_type(self) -> str:
        return "token-service"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "endpoints": [e.label for e in self._endpoints()],
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="token_service",
            ls_model_name=str(kwargs.get("model") or self.model),
            ls_model_type="chat",
        )
        if self.temperature is not None:
            params["ls_temperature"] = self.temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        stop = stop or self.stop
        if stop:
            params["ls_stop"] = stop
        return params

    # -- clients ----------------------------------------------------------------------------

    def _endpoints(self) -> list[Endpoint]:
        if self.client is not None:
            return list(self.client.endpoints)
        if self.endpoints:
            return list(self.endpoints)
        return [
            Endpoint(
                url=self.base_url or "local",
                model=str(self.model),
                dialect=self.dialect,
                api_key_env=self.api_key_env,
                api_key=self.api_key,
            )
        ]

    def _options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "tenant": self.tenant,
            "project": self.project,
            "cache_path": self.cache_path,
            "ledger_path": self.ledger_path,
            "budget": self.budget,
            "prices": self.prices,
            "max_retries": self.max_retries,
            "transport": self.transport,
        }
        if self.timeout is not None:
            options["timeout"] = httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0))
        return options

    def _sync_client(self) -> TokenClient:
        if self.client is not None:
            return self.client
        if self._sync is None:
            self._sync = TokenClient(self._endpoints(), **self._options())
            # A client this model made dies with it: its sockets and ledger are closed, not
            # left to the garbage collector (a client given with ``client=`` is the owner's).
            weakref.finalize(self, self._sync.close)
        return self._sync

    def _async_client(self) -> AsyncTokenClient:
        if self.async_client is not None:
            return self.async_client
        if self._async is None:
            if self.client is not None:
                base = self.client
                transport = base._transport
                self._async = AsyncTokenClient(
                    base.endpoints,
                    tenant=base.tenant,
                    project=base.project,
                    cache_path=None if base.response_cache is None else base.response_cache.path,
                    ledger_path=base.ledger.path,
                    prices=base.prices,
                    timeout=base.timeout,
                    max_retries=base.max_retries,
                    transport=transport
                    if isinstance(transport, httpx.AsyncBaseTransport)
                    else None,
                )
            else:
                self._async = AsyncTokenClient(self._endpoints(), **self._options())
        return self._async

    def close(self) -> None:
        """Close the synchronous client this model created (not one given with ``client=``)."""
        if self._sync is not None:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        """Close both clients this model created (not ones given with ``client=``)."""
        self.close()
        if self._async is not None:
            await self._async.aclose()
            self._async = None

    # -- tools ------------------------------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (any form LangChain converts to OpenAI tools) to the model.

        Args:
            tools: Tools, functions, pydantic models or OpenAI tool dicts.
            tool_choice: ``auto``, ``none``, ``any``/``required``, a tool name, or True
                (the only tool).
            **kwargs: Further call options (``context``, ``session_id``...).

        Returns:
            A runnable that calls the model with the tools.
        """
        formatted = [_openai_tool(tool) for tool in tools]
        if tool_choice is True:
            if len(formatted) != 1:
                raise PayloadError(
                    field="tool_choice", problem="True needs exactly one tool; name the tool"
                )
            tool_choice = formatted[0]["function"]["name"]
        elif tool_choice is False:
            tool_choice = None
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return super().bind(tools=formatted, **kwargs)

    # -- calls ------------------------------------------------------------------------------

    def _call_args(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        kwargs = dict(kwargs)
        override = kwargs.pop("model", None)
        if override is not None and override != self.model:
            raise PayloadError(
                field="model",
                problem="per-call model override is not supported; create another "
                "ChatTokenService for that model",
            )
        args: dict[str, Any] = {key: kwargs.pop(key) for key in _CALL_OPTIONS if key in kwargs}
        args.setdefault("session_id", self.session_id)
        args["temperature"] = kwargs.pop("temperature", self.temperature)
        args["max_tokens"] = kwargs.pop("max_tokens", self.max_tokens)
        stop = stop or self.stop
        if stop:
            args["stop"] = list(stop)
        args.update({k: v for k, v in kwargs.items() if v is not None})
        return {"messages": to_openai_messages(messages), **args}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            chunks = list(self._stream(messages, stop, run_manager, **kwargs))
            return _from_chunks(chunks)
        result = self._sync_client().chat(**self._call_args(messages, stop, kwargs))
        return ChatResult(generations=[ChatGeneration(message=_to_ai_message(result))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            chunks = [c async for c in self._astream(messages, stop, run_manager, **kwargs)]
            return _from_chunks(chunks)
        result = await self._async_client().chat(**self._call_args(messages, stop, kwargs))
        return ChatResult(generations=[ChatGeneration(message=_to_ai_message(result))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for event in self._sync_client().stream(**self._call_args(messages, stop, kwargs)):
            chunk = _to_chunk(event)
            if run_manager is not None and chunk.text:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        events = self._async_client().stream(**self._call_args(messages, stop, kwargs))
        async for event in events:
            chunk = _to_chunk(event)
            if run_manager is not None and chunk.text:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk


# -- conversions --------------------------------------------------------------------------


def _openai_tool(tool: Any) -> dict[str, Any]:
    """A tool's OpenAI schema, exact when the tool carries one (``toolkit.tooling`` tools).

    LangChain's conversion drops custom keys such as ``x-unit`` and ``x-write``.
    """
    from toolkit.tooling import OPENAI_SCHEMA_KEY

    exact = (getattr(tool, "metadata", None) or {}).get(OPENAI_SCHEMA_KEY)
    if isinstance(tool, BaseTool) and isinstance(exact, dict):
        return exact
    return convert_to_openai_tool(tool)


def _content(content: Any) -> Any:
    if isinstance(content, str) or content is None:
        return content
    parts: list[Any] = []
    for part in content:
        if isinstance(part, str):
            parts.append({"type": "text", "text": part})
        elif isinstance(part, Mapping) and part.get("type") == "text":
            parts.append({"type": "text", "text": part.get("text", "")})
        else:
            parts.append(part)
    return parts


def to_openai_messages(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """Convert LangChain messages to OpenAI chat messages.

    Tool-call arguments are sent as the model produced them when that text is
    known (kept in ``additional_kwargs``), so the history is not rewritten.
    Anthropic-style ``tool_use`` / ``tool_result`` content blocks become OpenAI
    ``tool_calls`` and ``role: tool`` messages (`toolkit.tokens.content_blocks`).

    Raises:
        PayloadError: A message type has no chat-completions equivalent.
    """
    out: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        if isinstance(message, SystemMessage):
            out.append({"role": "system", "content": _content(message.content)})
        elif isinstance(message, HumanMessage):
            results, rest = split_tool_results(message.content)
            out.extend(results)
            if rest is not None:
                out.append({"role": "user", "content": _content(rest)})
        elif isinstance(message, AIMessage):
            content, uses = split_tool_uses(message.content)
            item: dict[str, Any] = {"role": "assistant", "content": _content(content)}
            if uses and not message.tool_calls:
                item["tool_calls"] = uses
                item["content"] = item["content"] or None
            elif message.tool_calls:
                raw = {
                    c.get("id"): c.get("function", {}).get("arguments")
                    for c in message.additional_kwargs.get("tool_calls", [])
                    if isinstance(c, Mapping)
                }
                item["tool_calls"] = [
                    {
                        "id": call["id"],
                        "type": "function",
                        "function": {
                            "name": call["name"],
                            "arguments": raw.get(call["id"]) or canonical_dumps(call["args"]),
                        },
                    }
                    for call in message.tool_calls
                ]
                if not item["content"]:
                    item["content"] = None
            out.append(item)
        elif isinstance(message, ToolMessage):
            content = message.content
            if not isinstance(content, str):
                content = json.dumps(content, ensure_ascii=False)
            out.append({"role": "tool", "tool_call_id": message.tool_call_id, "content": content})
        elif isinstance(message, ChatMessage):
            out.append({"role": message.role, "content": _content(message.content)})
        else:
            raise PayloadError(
                field=f"messages[{index}]",
                problem=f"unsupported message type {type(message).__name__}",
            )
    return out


def _usage_metadata(usage: Usage) -> UsageMetadata:
    return UsageMetadata(
        input_tokens=usage.prompt_tokens,
        output_tokens=usage.completion_tokens,
        total_tokens=usage.total_tokens,
        input_token_details=InputTokenDetails(
            cache_read=usage.cached_tokens, cache_creation=usage.cache_write_tokens
        ),
    )


def _metadata(result: TokenResult) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "finish_reason": result.finish_reason,
        "model_name": result.model,
        "model_provider": "token_service",
        "endpoint": result.endpoint,
        "from_response_cache": result.from_response_cache,
        "cost": result.cost,
        "usage_known": result.usage.known,
        "latency": result.latency,
        "affinity_key": result.affinity_key,
    }
    if result.timings is not None:
        # What the server itself reports it evaluated and reused (llama.cpp).
        metadata["timings"] = result.timings.model_dump()
    return metadata


def _to_ai_message(result: TokenResult) -> AIMessage:
    tool_calls = []
    invalid = []
    for call in result.tool_calls:
        if call.error is None:
            tool_calls.append({"name": call.name, "args": call.arguments, "id": call.id})
        else:
            invalid.append(
                {"name": call.name, "args": call.raw_arguments, "id": call.id, "error": call.error}
            )
    additional: dict[str, Any] = {}
    if result.tool_calls:
        additional["tool_calls"] = [call.to_message_dict() for call in result.tool_calls]
    return AIMessage(
        content=result.content,
        tool_calls=tool_calls,
        invalid_tool_calls=invalid,
        additional_kwargs=additional,
        usage_metadata=_usage_metadata(result.usage),
        response_metadata=_metadata(result),
    )


def _to_chunk(event: StreamEvent) -> ChatGenerationChunk:
    if event.result is not None:
        result = event.result
        # The final event repeats nothing already streamed, except for a cache hit,
        # which arrives as one event with the whole answer.
        content = event.content
        chunks = []
        if result.from_response_cache:
            chunks = [
                tool_call_chunk(name=c.name, args=c.raw_arguments, id=c.id, index=i)
                for i, c in enumerate(result.tool_calls)
            ]
        return ChatGenerationChunk(
            message=AIMessageChunk(
                content=content,
                tool_call_chunks=chunks,
                usage_metadata=_usage_metadata(result.usage),
                response_metadata=_metadata(result),
                chunk_position="last",
            )
        )
    return ChatGenerationChunk(
        message=AIMessageChunk(
            content=event.content,
            tool_call_chunks=[
                tool_call_chunk(name=c.name, args=c.arguments, id=c.id, index=c.index)
                for c in event.tool_call_chunks
            ],
        )
    )


def _from_chunks(chunks: list[ChatGenerationChunk]) -> ChatResult:
    if not chunks:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=""))])
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return ChatResult(generations=[ChatGeneration(message=message_chunk_to_message(total.message))])
