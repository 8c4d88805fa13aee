"""``mianshi llm serve|status``: the embedded server in the foreground; what is in use."""

from __future__ import annotations

import argparse
import json
import signal
import threading

from agent.llm.server import EmbeddedServer, connect, describe_endpoint
from agent.settings import load_settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("llm", help="the language model: serve the embedded one, status")
    sub = parser.add_subparsers(dest="llm_command", metavar="ACTION")
    sub.required = True
    serve = sub.add_parser("serve", help="run the embedded llama.cpp server in the foreground")
    serve.set_defaults(func=_serve)
    status = sub.add_parser("status", help="endpoint, model, capabilities, round-trip time")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(func=_status)


def _serve(args: argparse.Namespace) -> int:
    settings = load_settings()
    server = EmbeddedServer(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with server:
        print(f"serving {server.alias} ({server.model_path})", flush=True)
        print(f"OPENAI_BASE_URL={server.base_url}   (Ctrl-C to stop)", flush=True)
        try:
            while not stop.wait(1.0):
                if server.process is None or server.process.poll() is not None:
                    print("mianshi: the server exited unexpectedly")
                    return 1
        except KeyboardInterrupt:
            pass
    print("stopped")
    return 0


def _status(args: argparse.Namespace) -> int:
    settings = load_settings()
    with connect(settings) as client:
        caps = client.capabilities()
        rtt = client.ping()
        info = {
            "endpoint": describe_endpoint(settings),
            "base_url": client.shown_url,
            "model": client.model,
            "api_key": "set" if settings.llm_api_key else "not set",
            "structured_output": caps.structured,
            "logprobs": caps.logprobs,
            "round_trip_s": round(rtt, 3),
        }
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
    else:
        for key, value in info.items():
            print(f"{key:18} {value}")
    return 0
