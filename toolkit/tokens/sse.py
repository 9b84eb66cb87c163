"""Server-sent events of a streamed chat completion, decoded and accumulated.

Pure: fed one line at a time by the sync or the async sender.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from toolkit.errors import ResponseFormatError
from toolkit.tokens.results import StreamEvent, ToolCall, ToolCallChunk, replace_lone_surrogates
from toolkit.tokens.timings import ServerTimings, parse_timings
from toolkit.tokens.usage import Usage, normalize_usage

__all__ = ["StreamAccumulator"]


class StreamAccumulator:
    """Turn SSE lines into `StreamEvent`s and remember enough to build the final result.

    Args:
        endpoint: Endpoint label, for error messages.
    """

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.content: list[str] = []
        self.finish_reason: str | None = None
        self.usage: Usage | None = None
        self.timings: ServerTimings | None = None
        self.done = False
        self.chunks = 0
        self._calls: dict[int, dict[str, str]] = {}

    def feed_line(self, line: str) -> StreamEvent | None:
        """Consume one line of the event stream.

        Returns:
            An event for a data chunk that carried something, else None.

        Raises:
            ResponseFormatError: A data line is not valid JSON or carries an error.
        """
        line = line.rstrip("\r")
        if not line.startswith("data:"):
            return None  # blank separators, comments, event:/id: fields
        data = line[5:].strip()
        if data == "[DONE]":
            self.done = True
            return None
        if self.done:
            raise ResponseFormatError(endpoint=self.endpoint, problem="data after [DONE]")
        try:
            chunk = json.loads(data)
        except RecursionError as exc:
            raise ResponseFormatError(
                endpoint=self.endpoint, problem=f"stream chunk {self.chunks} is nested too deeply"
            ) from exc
        except ValueError as exc:
            raise ResponseFormatError(
                endpoint=self.endpoint, problem=f"stream chunk {self.chunks} is not JSON ({exc})"
            ) from exc
        if not isinstance(chunk, Mapping):
            raise ResponseFormatError(endpoint=self.endpoint, problem="stream chunk not an object")
        if "error" in chunk:
            raise ResponseFormatError(
                endpoint=self.endpoint, problem=f"error in stream chunk {self.chunks}"
            )
        self.chunks += 1
        try:
            return self._apply(chunk)
        except ResponseFormatError:
            raise
        except (TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise ResponseFormatError(
                endpoint=self.endpoint,
                problem=f"stream chunk {self.chunks - 1} is malformed ({type(exc).__name__})",
            ) from exc

    def _apply(self, chunk: Mapping[str, Any]) -> StreamEvent | None:
        usage = (
            normalize_usage(chunk, endpoint=self.endpoint)
            if chunk.get("usage") or chunk.get("timings")
            else None
        )
        if usage is not None:
            self.usage = usage
        timings = parse_timings(chunk)
        if timings is not None:
            self.timings = timings
        text = ""
        finish: str | None = None
        pieces: list[ToolCallChunk] = []
        choices = chunk.get("choices") or []
        if choices and isinstance(choices[0], Mapping):
            choice = choices[0]
            delta = choice.get("delta") or {}
            if not isinstance(delta, Mapping):
                raise ResponseFormatError(endpoint=self.endpoint, problem="delta is not an object")
            if isinstance(delta.get("content"), str):
                text = replace_lone_surrogates(delta["content"])
                self.content.append(text)
            for raw in delta.get("tool_calls") or []:
                piece = self._merge_call(raw)
                pieces.append(piece)
            if choice.get("finish_reason") is not None:
                finish = replace_lone_surrogates(str(choice["finish_reason"]))
                self.finish_reason = finish
        if not text and not pieces and finish is None and usage is None:
            return None
        return StreamEvent(content=text, tool_call_chunks=pieces, finish_reason=finish, usage=usage)

    def _merge_call(self, raw: Any) -> ToolCallChunk:
        if not isinstance(raw, Mapping):
            raise ResponseFormatError(endpoint=self.endpoint, problem="tool call delta malformed")
        index = int(raw.get("index", 0))
        function = raw.get("function") or {}
        slot = self._calls.setdefault(index, {"id": "", "name": "", "arguments": ""})
        if raw.get("id"):
            slot["id"] = str(raw["id"])
        if function.get("name"):
            slot["name"] = str(function["name"])
        arguments = replace_lone_surrogates(str(function.get("arguments") or ""))
        slot["arguments"] += arguments
        return ToolCallChunk(
            index=index, id=raw.get("id"), name=function.get("name"), arguments=arguments
        )

    def finish(self) -> tuple[str, list[ToolCall], str | None, Usage]:
        """Validate the ended stream and return ``(content, tool_calls, finish, usage)``.

        Raises:
            ResponseFormatError: The stream ended before the answer was complete.
        """
        if self.finish_reason is None:
            state = "after [DONE]" if self.done else "without [DONE]"
            raise ResponseFormatError(
                endpoint=self.endpoint,
                problem=f"truncated stream: ended {state} and no finish_reason "
                f"after {self.chunks} chunks",
            )
        calls = [
            ToolCall.from_raw(slot["id"] or f"call_{index}", slot["name"], slot["arguments"])
            for index, slot in sorted(self._calls.items())
        ]
        return "".join(self.content), calls, self.finish_reason, self.usage or Usage(known=False)
