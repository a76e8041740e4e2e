"""Read YAML reference files, re-reading a file only when it changed on disk.

Staff edit `content/*.yml` while Lotse runs; the action server picks the change up on the next
request without a restart.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import yaml

_cache: dict[Path, tuple[float, int, Any]] = {}
_lock = threading.Lock()


def load_yaml(path: Path) -> Any:
    path = Path(path).absolute()  # resolve() cost a realpath walk per call, on every message
    stat = path.stat()
    with _lock:
        cached = _cache.get(path)
        if cached and cached[0] == stat.st_mtime and cached[1] == stat.st_size:
            return cached[2]
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    with _lock:
        _cache[path] = (stat.st_mtime, stat.st_size, data)
    return data
