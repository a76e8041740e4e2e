"""`rasa` with the HTTP API's token taken from the environment instead of the command line.

lotse.runner.stack starts Rasa as `python -m lotse.rasa_server.server run …`. Rasa's HTTP API (/model/parse,
/conversations/<id>/tracker, …) is off unless LOTSE_RASA_API_TOKEN is set; then it is enabled
with that token (`--enable-api --auth-token`). The token is added to Rasa's arguments inside
this process, so it never appears in `ps` or /proc/<pid>/cmdline (the process's environment is
readable by its own user and root only).

Once the model is loaded, its ~500,000 Python objects are moved out of the garbage collector's
reach (`gc.freeze`): a full collection over them took 175 ms, and one now and then in the middle
of a turn was the slowest message of a benchmark run. They live as long as the process anyway.
"""
from __future__ import annotations

import gc
import os
import sys
import warnings
from typing import Any, Mapping, Sequence

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

    async def load_then_freeze(*args: Any, **kwargs: Any) -> Any:
        agent = await load_agent(*args, **kwargs)
        gc.collect()
        gc.freeze()
        return agent

    rasa.core.run.load_agent_on_start = load_then_freeze


def main() -> None:
    quiet_user_text_warnings()
    sys.argv = ["rasa", *rasa_arguments(sys.argv[1:], os.environ)]
    freeze_after_model_load()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
