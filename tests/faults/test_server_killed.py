"""The real embedded llama.cpp server killed with SIGKILL between two calls."""

from __future__ import annotations

import pytest

from agent.llm.server import connect, responds
from agent.settings import Settings

pytestmark = pytest.mark.integration


def test_a_killed_embedded_server_is_restarted_on_the_next_call(
    isolated_settings: Settings,
) -> None:
    """SIGKILL the real server between two calls: the second call restarts it and
    answers (before, every later call failed and grades stayed pending for good)."""
    from agent.llm import server as server_mod

    started: list[server_mod.EmbeddedServer] = []
    real_start = server_mod.EmbeddedServer.start

    def recording_start(self: server_mod.EmbeddedServer, *, attempts: int = 3) -> str:
        started.append(self)
        return real_start(self, attempts=attempts)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(server_mod.EmbeddedServer, "start", recording_start)
        with connect(isolated_settings) as client:
            first = client.chat([{"role": "user", "content": "1+1=? 只回答数字"}], max_tokens=4)
            server = started[0]
            assert server.process is not None
            old_url = client.base_url
            server.process.kill()
            server.process.wait(timeout=10)
            second = client.chat([{"role": "user", "content": "2+2=? 只回答数字"}], max_tokens=4)
            assert first and second
            assert len(server.restarts) == 1 and server.died() is None
            assert responds(client.base_url)
            assert client.base_url != old_url or responds(old_url)
