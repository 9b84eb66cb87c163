import json
import logging
import sqlite3
from pathlib import Path

import httpx
import pytest

from toolkit.tokens import (
    ApiKeyMissingError,
    Endpoint,
    EndpointUnavailableError,
    RequestRejectedError,
    TokenClient,
)
from toolkit.tokens.langchain import ChatTokenService
from toolkit.tokens.testing import ScriptedServer, completion

KEY = "sk-test-5ecret-abcdef0123456789"
MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture
def env_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MY_LLM_KEY", KEY)
    return KEY


def endpoint() -> Endpoint:
    return Endpoint(url="http://h/v1", model="m", api_key_env="MY_LLM_KEY")


def test_key_only_in_authorization_header(env_key: str, tmp_path: Path) -> None:
    server = ScriptedServer(default=completion("x", usage={"prompt_tokens": 1}))
    client = TokenClient(
        endpoint(),
        transport=httpx.MockTransport(server),
        cache_path=tmp_path / "c.db",
        ledger_path=tmp_path / "l.db",
    )
    result = client.chat(MESSAGES, temperature=0)
    request = server.requests[0]
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    others = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
    assert KEY not in json.dumps(others)
    assert KEY not in request.content.decode()
    assert KEY not in str(request.url)
    assert KEY not in result.model_dump_json()
    assert KEY not in repr(client) and KEY not in repr(endpoint())
    client.close()
    for db in ("c.db", "l.db"):
        conn = sqlite3.connect(tmp_path / db)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):
                assert KEY not in json.dumps(row, default=str)
        for file in tmp_path.iterdir():
            assert KEY.encode() not in file.read_bytes()


def test_key_never_in_errors_or_logs(env_key: str, caplog: pytest.LogCaptureFixture) -> None:
    echo = httpx.Response(401, json={"error": f"Incorrect API key provided: {KEY}"})
    server = ScriptedServer([echo, httpx.ConnectError(f"proxy said {KEY}")], default=echo)
    client = TokenClient(endpoint(), transport=httpx.MockTransport(server))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(RequestRejectedError) as rejected:
        client.chat(MESSAGES)
    assert KEY not in str(rejected.value) and "***" in str(rejected.value)
    retry = TokenClient(
        endpoint(),
        transport=httpx.MockTransport(
            ScriptedServer(default=httpx.Response(503, text=f"key {KEY} overloaded"))
        ),
        max_retries=1,
        sleep=lambda s: None,
    )
    with pytest.raises(EndpointUnavailableError) as down:
        retry.chat(MESSAGES)
    assert KEY not in str(down.value) and KEY not in repr(down.value)
    assert KEY not in caplog.text
    for record in caplog.records:
        assert KEY not in record.getMessage()


def test_missing_env_var_names_the_variable_not_a_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MY_LLM_KEY", raising=False)
    with pytest.raises(ApiKeyMissingError) as info:
        TokenClient(endpoint())
    assert "MY_LLM_KEY" in str(info.value) and info.value.env_var == "MY_LLM_KEY"


def test_langchain_model_hides_key() -> None:
    model = ChatTokenService(model="m", base_url="http://h/v1", api_key=KEY)
    assert KEY not in repr(model) and KEY not in str(model.model_dump())
    assert KEY not in json.dumps(model._identifying_params)


def test_url_credentials_never_in_label() -> None:
    e = Endpoint(url="http://user:pw@h:81/v1", model="m")
    assert "pw" not in e.label and e.label == "m@h:81/v1"
    with pytest.raises(ValueError) as info:
        Endpoint(url="ftp://user:pw@h/v1", model="m")
    assert "pw" not in str(info.value)
