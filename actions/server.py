"""rasa-sdk's action server with a shared-secret check (rasa-sdk 3.6 has no authentication).

lotse.runner.stack starts it as `python -m actions.server --actions actions …` (the same arguments
as `python -m rasa_sdk`). When LOTSE_ACTIONS_SECRET is set, every request except GET /health
needs the header `X-Lotse-Actions-Secret` with that value (endpoints.yml makes Rasa send it);
others get 403. The server listens on LOTSE_ACTIONS_HOST (default 127.0.0.1) and refuses to start
on any other interface without a secret.

The check is added by replacing `rasa_sdk.endpoint.create_app` (`install_secret_check`), and the
server refuses to start with a rasa-sdk version that replacement was not written for
(lotse/core/override_registry.py). Nothing here imports Rasa: the action server's image has none.
"""
from __future__ import annotations

import ipaddress
import logging
import os
import sys
from typing import Any, Callable, Optional

from lotse.core.override_registry import ACTION_SERVER_LIBRARIES, version_problems

SECRET_HEADER = "X-Lotse-Actions-Secret"
SECRET_VARIABLE = "LOTSE_ACTIONS_SECRET"
OPEN_PATHS = {"/health"}
logger = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def startup_problem(host: str, secret: str) -> Optional[str]:
    """Why the action server must not start this way, or None."""
    if not secret and not is_loopback(host):
        return f"the action server would listen on {host} without a secret: set {SECRET_VARIABLE} (docs/hardening.md)"
    return None


def secret_check(secret: str) -> Callable[[Any], Any]:
    """A Sanic request middleware: 403 unless the request carries the secret."""
    from sanic import response

    from lotse.guards.secrets import secrets_equal

    async def check(request: Any) -> Any:
        if not secret or request.path in OPEN_PATHS:
            return None
        if not secrets_equal(request.headers.get(SECRET_HEADER), secret):
            logger.warning("action server: request without the shared secret refused")
            return response.json({"error": "forbidden"}, status=403)
        return None

    return check


def warm_up() -> None:
    """Load now what the first users would otherwise wait for: reference data, the callback
    database and the phone-number metadata (measured: the first office look-up and the first
    phone number each took ~150 ms longer than later ones)."""
    from actions.callbacks import services
    from lotse.callbacks.phone import parse_phone
    from lotse.callbacks.store import StoreUnavailable
    from lotse.knowledge.offices import load_gazetteer
    from lotse.language.languages import LANGUAGES
    from lotse.language.messages import messages_for

    svc = services()
    load_gazetteer(svc.settings.content_dir)
    for language in LANGUAGES:
        messages_for(language)
    parse_phone("0171 2345678")
    try:
        svc.store()
    except StoreUnavailable:
        logger.warning("callback database not reachable at start; bookings will retry it")


def install_secret_check(secret: str) -> None:
    """rasa-sdk's `create_app`, with `secret_check` on every request."""
    import rasa_sdk.endpoint as endpoint

    create_app = endpoint.create_app

    def create_checked_app(*args: Any, **kwargs: Any) -> Any:
        app = create_app(*args, **kwargs)
        app.register_middleware(secret_check(secret), "request")
        return app

    endpoint.create_app = create_checked_app  # rasa_sdk.endpoint.run builds its app through this name


def main() -> int:
    secret = os.environ.get(SECRET_VARIABLE, "").strip()
    problems = version_problems(ACTION_SERVER_LIBRARIES)
    unsafe = startup_problem(os.environ.get("SANIC_HOST", "0.0.0.0"), secret)
    if unsafe:
        problems.append(unsafe)
    if problems:
        print(*(f"Lotse: {problem}" for problem in problems), sep="\n", file=sys.stderr)
        return 2
    install_secret_check(secret)
    warm_up()
    from rasa_sdk.__main__ import main as sdk_main

    sdk_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
