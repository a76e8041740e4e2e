"""`rasa` with the HTTP API's token taken from the environment instead of the command line.

lotse.stack starts Rasa as `python -m lotse.rasa_server run …`. Rasa's HTTP API (/model/parse,
/conversations/<id>/tracker, …) is off unless LOTSE_RASA_API_TOKEN is set; then it is enabled
with that token (`--enable-api --auth-token`). The token is added to Rasa's arguments inside
this process, so it never appears in `ps` or /proc/<pid>/cmdline (the process's environment is
readable by its own user and root only).
"""
from __future__ import annotations

import os
import sys
import warnings
from typing import Mapping, Sequence

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


def main() -> None:
    quiet_user_text_warnings()
    sys.argv = ["rasa", *rasa_arguments(sys.argv[1:], os.environ)]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
