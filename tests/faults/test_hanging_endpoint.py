"""An endpoint that accepts connections and never answers: the interview goes on."""

from __future__ import annotations

import pytest

from agent.interview import phrases as say


def test_a_hanging_endpoint_gets_the_neutral_line_after_one_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A real client against a server that accepts the connection and never answers:
    one try with the line timeout, then the fallback phrase (not 120 s × 3 tries)."""
    import socket
    import threading

    from agent.llm.client import LLMClient

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn)  # read nothing, answer nothing

    threading.Thread(target=accept, daemon=True).start()
    port = listener.getsockname()[1]
    monkeypatch.setattr(say, "LINE_TIMEOUT_S", 0.5)
    llm = LLMClient(f"http://127.0.0.1:{port}/v1", model="m", timeout=120, retries=2)
    try:
        line = say.probe(llm, "zh", "什么是 KV cache？", "缓存历史 K、V", "缓存")
        assert line == say.phrase("zh", "probe_fallback")
        assert len(accepted) == 1  # one try: no transport retries
    finally:
        listener.close()
        for conn in accepted:
            conn.close()
