#!/usr/bin/env bash
# Print a working Python 3.10 (Rasa 3.6 supports 3.8–3.10), or explain what to install.
# Order: $PYTHON if given, python3.10 on PATH (only if it really runs), pyenv's 3.10.x, 3.9, 3.8.
set -u
works() { "$1" -c 'import sys; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 10) else 1)' >/dev/null 2>&1; }
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
for v in 3.10 3.9 3.8; do
  command -v "python$v" >/dev/null 2>&1 && candidates+=("$(command -v python$v)")
done
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for v in 3.10 3.9 3.8; do
    for p in $(ls -d "$root"/versions/$v*/bin/python$v 2>/dev/null | sort -rV); do candidates+=("$p"); done
  done
fi
for p in "${candidates[@]}"; do
  if works "$p"; then echo "$p"; exit 0; fi
done
echo "No Python 3.8–3.10 found. Rasa 3.6 needs one: install Python 3.10 (e.g. 'pyenv install 3.10.13' or your distribution's python3.10 package), or run 'make PYTHON=/path/to/python3.10'." >&2
exit 1
