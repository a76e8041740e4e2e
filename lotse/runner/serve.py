"""Run one of Lotse's processes in the foreground, as a container does (deploy/Dockerfile.*).

    python -m lotse.runner.serve rasa | actions | web | worker

Same command and environment as `make run` starts (lotse.runner.stack), but a single process that
replaces this one (signals reach it directly), with the runtime files written first. Every
setting comes from the environment (lotse/core/settings.py); in a container the hosts are bind
addresses (`0.0.0.0`) or the names of other services.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from lotse.core.settings import PROJECT_ROOT, Settings, load_settings
from lotse.runner.stack import Stack

DEFAULT_MODEL = PROJECT_ROOT / "models" / "lotse.tar.gz"


def plan(service: str, settings: Settings, model: Path = DEFAULT_MODEL) -> tuple[list[str], dict[str, str]]:
    """The command and environment for `service` (as `make run` gives it: secrets only for the
    services that read them); writes Rasa's credentials and endpoints files."""
    stack = Stack(settings, model, settings.data_dir / "logs")
    commands = stack.commands()
    if service not in commands:
        raise SystemExit(f"unknown service {service!r}; one of: {', '.join(commands)}")
    return commands[service], stack.process_env(service, stack.prepare())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lotse.runner.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("service")
    parser.add_argument("--model", default=str(DEFAULT_MODEL))
    args = parser.parse_args(argv)
    command, env = plan(args.service, load_settings(), Path(args.model))
    os.chdir(PROJECT_ROOT)
    sys.stdout.flush()
    os.execve(command[0], command, env)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
