"""The login page says why a login is refused for a while.

Gradio's login form reacts to two answers only: 400 ("Incorrect credentials") and
200; to a 429 of the login backoff (``login_limits``) it shows nothing, and the
candidate keeps clicking. This ASGI middleware adds a small script to the app's HTML
pages that shows the 429's message ("try again in N s") above the form.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SCRIPT = b"""<script>(() => {
  const fetch0 = window.fetch;
  const show = (text) => {
    let note = document.getElementById("mianshi-login-wait");
    if (!note) {
      note = document.createElement("div");
      note.id = "mianshi-login-wait";
      note.setAttribute("role", "alert");
      note.style.cssText = "position:fixed;top:1em;left:50%;transform:translateX(-50%);" +
        "z-index:1000;padding:0.6em 1em;border-radius:6px;background:#fee2e2;" +
        "color:#991b1b;font-weight:600;max-width:90%";
      document.body.appendChild(note);
    }
    note.textContent = text;
  };
  window.fetch = async (...args) => {
    const answer = await fetch0(...args);
    const url = new URL(String(args[0]?.url ?? args[0]), location.href);
    if (/\\/login\\/?$/.test(url.pathname)) {
      if (answer.status === 429) {
        answer.clone().json().then((body) => show(body.detail)).catch(() => {});
      } else {
        document.getElementById("mianshi-login-wait")?.remove();
      }
    }
    return answer;
  };
})();</script>"""


class LoginPageNote:
    """ASGI middleware: ``SCRIPT`` into every HTML page, before ``</head>``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body: list[bytes] = []

        async def noted(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start" and _is_html(message):
                start = message  # held until the whole page is here
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if not message.get("more_body", False):
                page = b"".join(body).replace(b"</head>", SCRIPT + b"</head>", 1)
                headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(page)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, noted)


def _is_html(start: Message) -> bool:
    headers = dict((k.lower(), v) for k, v in start.get("headers", []))
    return headers.get(b"content-type", b"").startswith(b"text/html") and (
        b"content-encoding" not in headers  # compressed: left as it is
    )
