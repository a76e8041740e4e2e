"""`rasa` with the HTTP API's token taken from the environment instead of the command line.

lotse.runner.stack starts Rasa as `python -m lotse.rasa_server.server run …`. Rasa's HTTP API (/model/parse,
/conversations/<id>/tracker, …) is off unless LOTSE_RASA_API_TOKEN is set; then it is enabled
with that token (`--enable-api --auth-token`). The token is added to Rasa's arguments inside
this process, so it never appears in `ps` or /proc/<pid>/cmdline (the process's environment is
readable by its own user and root only).

Once the model is loaded, its ~500,000 Python objects are moved out of the garbage collector's
reach (`gc.freeze`): a full collection over them took 175 ms, and one now and then in the middle
of a turn was the slowest message of a benchmark run. They live as long as the process anyway.

Before Rasa runs, `main` refuses library versions Lotse's overrides were not written for and
installs the overrides (`install_overrides`; the list: lotse/core/override_registry.py).
"""
from __future__ import annotations

import gc
import os
import sys
import warnings
from typing import Any, Mapping, Sequence

from lotse.core.override_registry import RASA_SERVER_LIBRARIES, version_problems

TOKEN_VARIABLE = "LOTSE_RASA_API_TOKEN"


def rasa_arguments(argv: Sequence[str], env: Mapping[str, str]) -> list[str]:
    """Rasa's arguments: `argv`, plus the API flags when a token is set."""
    arguments = [a for a in argv if a not in ("--enable-api", "--auth-token")]
    token = (env.get(TOKEN_VARIABLE) or "").strip()
    if arguments[:1] == ["run"] and token:
        arguments += ["--enable-api", "--auth-token", token]
    return arguments


def quiet_user_text_warnings() -> None:
    """Rasa warns "Failed to parse arguments in line '<the user's message>'" when a message
    starts with "/" but is no valid intent call; the warning would put the text into the log
    (found by the fuzzing). The message itself is still handled."""
    warnings.filterwarnings("ignore", message=r"Failed to parse arguments in line", category=UserWarning)


def freeze_after_model_load() -> None:
    import rasa.core.run

    load_agent = rasa.core.run.load_agent_on_start
    if getattr(load_agent, "freezes_after_load", False):
        return  # installed already

    async def load_then_freeze(*args: Any, **kwargs: Any) -> Any:
        agent = await load_agent(*args, **kwargs)
        gc.collect()
        gc.freeze()
        return agent

    load_then_freeze.freezes_after_load = True  # type: ignore[attr-defined]
    rasa.core.run.load_agent_on_start = load_then_freeze


def install_overrides() -> None:
    """Every replacement of a Rasa function that the Rasa server runs with (idempotent)."""
    from lotse.rasa_server import overrides

    overrides.install()
    freeze_after_model_load()


def main() -> int:
    problems = version_problems(RASA_SERVER_LIBRARIES)
    if problems:
        print(*(f"Lotse: {problem}" for problem in problems), sep="\n", file=sys.stderr)
        return 2
    quiet_user_text_warnings()
    sys.argv = ["rasa", *rasa_arguments(sys.argv[1:], os.environ)]
    install_overrides()
    from rasa.__main__ import main as rasa_main

    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
