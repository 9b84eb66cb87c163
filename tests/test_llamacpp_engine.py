"""The real engine: llama-server with SmolLM2-135M, driven through `ChatTokenService`.

The engine itself reports what it reused (``usage.prompt_tokens_details.cached_tokens`` and
``timings.cache_n``); these tests hold the client's layout to that report. They skip when
the binary or the model is missing (``make llama`` installs both), except under
``TOOLKIT_REQUIRE_LLAMA=1`` (CI), where a missing engine fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from toolkit.errors import LlamaEngineMissingError
from toolkit.llamacpp import LlamaReplicas, LlamaServerSpec, find_server_binary, find_small_model
from toolkit.tokens import Endpoint, TokenClient
from toolkit.tokens.affinity import affinity_key, llamacpp_slot
from toolkit.tokens.langchain import ChatTokenService
from toolkit.tokens.payload import build_core_payload

pytestmark = pytest.mark.llama

# Read at import: the autouse fixture clears TOOLKIT_* variables before each test.
REQUIRE = os.environ.get("TOOLKIT_REQUIRE_LLAMA") == "1"
SLOTS = 2


def _locate() -> tuple[Path, Path] | str:
    try:
        return find_server_binary(), find_small_model()
    except LlamaEngineMissingError as exc:
        return str(exc)


FOUND = _locate()
RULES = "\n".join(
    f"Rule {n}: state the unit of every figure, cite the document and section a statement "
    f"comes from, and say which default stood in for anything the question left open ({n})."
    for n in range(1, 31)
)


@pytest.fixture(scope="session")
def llama(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaReplicas]:
    """One llama-server process (two slots) for the whole session."""
    if isinstance(FOUND, str):
        if REQUIRE:
            pytest.fail(f"TOOLKIT_REQUIRE_LLAMA=1 but the real engine is missing: {FOUND}")
        pytest.skip(f"the real engine is not installed ({FOUND}); `make llama` enables this test")
    binary, model = FOUND
    spec = LlamaServerSpec(binary=binary, model=model, ctx_size=4096, slots=SLOTS)
    with LlamaReplicas(spec, log_dir=tmp_path_factory.mktemp("llama-logs")) as fleet:
        yield fleet


def _endpoint(llama: LlamaReplicas) -> Endpoint:
    return Endpoint(
        url=llama.base_urls[0], model=llama.spec.model_name, dialect="llamacpp", slots=SLOTS
    )


def _system() -> str:
    # A fresh first line: no earlier test's prompt shares more than the template's header.
    return f"Session {uuid.uuid4().hex}. You help a bank's credit analysts.\n{RULES}"


_OPEN: list[TokenClient] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    """Close each test's clients: one left to the garbage collector warns (an error here)."""
    yield
    while _OPEN:
        _OPEN.pop().close()


def _chat(llama: LlamaReplicas, max_tokens: int = 8) -> ChatTokenService:
    client = TokenClient(_endpoint(llama))
    _OPEN.append(client)
    return ChatTokenService(client=client, temperature=0, max_tokens=max_tokens)


def _usage(message: BaseMessage) -> tuple[int, int]:
    assert isinstance(message, AIMessage) and message.usage_metadata is not None
    details = message.usage_metadata.get("input_token_details") or {}
    return message.usage_metadata["input_tokens"], int(details.get("cache_read", 0))


def test_chat_repeated_prefix_is_cached_by_the_engine(llama: LlamaReplicas) -> None:
    model = _chat(llama)
    system = SystemMessage(_system())
    first = model.invoke([system, HumanMessage("What does rule 3 ask for?")])
    second = model.invoke([system, HumanMessage("Which rule mentions defaults, and why?")])
    prompt_1, cached_1 = _usage(first)
    prompt_2, cached_2 = _usage(second)
    assert prompt_1 > 600 and prompt_2 > 600
    assert cached_1 < 20, "a new system prompt cannot be in the cache"
    # Everything up to the question is reused; only the question's tokens are evaluated.
    assert cached_2 >= prompt_2 - 30, (prompt_2, cached_2)
    timings = second.response_metadata["timings"]
    assert timings["cache_n"] == cached_2
    assert timings["prompt_n"] == prompt_2 - cached_2
    assert first.response_metadata["timings"]["prompt_n"] >= prompt_1 - 20


def test_stream_reports_the_cached_prefix(llama: LlamaReplicas) -> None:
    model = _chat(llama, max_tokens=16)
    system = SystemMessage(_system())
    model.invoke([system, HumanMessage("Warm the cache with this question.")])
    chunks = list(model.stream([system, HumanMessage("Now stream an answer, please.")]))
    assert sum(1 for c in chunks if c.content) >= 2, "the answer arrived in one piece"
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert total.usage_metadata is not None
    prompt = total.usage_metadata["input_tokens"]
    cached = (total.usage_metadata.get("input_token_details") or {}).get("cache_read", 0)
    assert prompt > 600 and cached >= prompt - 30, (prompt, cached)
    assert total.response_metadata["timings"]["cache_n"] == cached


def test_a_timestamp_in_front_misses_the_cache(llama: LlamaReplicas) -> None:
    model = _chat(llama)
    text = _system()
    model.invoke([SystemMessage(text), HumanMessage("First question.")])
    stamped = model.invoke(
        [SystemMessage(f"System time: 2026-12-04 20:01:07\n{text}"), HumanMessage("Second.")]
    )
    prompt, cached = _usage(stamped)
    assert cached < 0.05 * prompt, (prompt, cached)


def test_slot_affinity_pins_a_prefix_to_its_slot(llama: LlamaReplicas) -> None:
    endpoint = _endpoint(llama)
    system = _system()
    messages = [{"role": "system", "content": system}, {"role": "user", "content": "Hi."}]
    expected = llamacpp_slot(affinity_key(build_core_payload(messages, model="m")), SLOTS)
    with TokenClient(endpoint) as client:
        client.chat(messages, temperature=0, max_tokens=4)
        again = client.chat([messages[0], {"role": "user", "content": "Hello."}], max_tokens=4)
    assert again.usage.cached_tokens >= again.usage.prompt_tokens - 30
    slots = {slot["id"]: slot for slot in httpx.get(f"{llama.processes[0].root_url}/slots").json()}
    pinned = slots[expected]
    # The pinned slot served the second request (the latest task) from its own cache.
    others = [slot.get("id_task", -1) for i, slot in slots.items() if i != expected]
    assert pinned["id_task"] > max(others), slots
