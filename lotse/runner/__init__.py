"""Running Lotse: `make run`'s supervisor of all processes (`lotse.runner.stack`), one process in
the foreground as a container runs it (`lotse.runner.serve`), and the operator commands
(`python -m lotse.runner.cli`)."""
