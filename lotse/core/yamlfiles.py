"""Read YAML reference files, re-reading a file only when it changed on disk, and what is made of
them (`load_parsed`) once per version of a file.

Staff edit `content/*.yml` while Lotse runs; the action server picks the change up on the next
request without a restart.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable, TypeVar

import yaml

_cache: dict[Path, tuple[float, int, Any]] = {}
_lock = threading.Lock()
_parsed: dict[tuple[Path, Callable[[Any], Any]], tuple[Any, Any]] = {}
T = TypeVar("T")


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


def load_parsed(path: Path, parse: Callable[[Any], T]) -> T:
    """`parse` of the file's YAML (an empty file: `{}`), computed again only when the file changed.
    `parse` must be a module-level function: it is part of the cache key."""
    raw = load_yaml(path)
    key = (Path(path).absolute(), parse)
    with _lock:
        cached = _parsed.get(key)
        if cached is not None and cached[0] is raw:
            return cached[1]
    result = parse(raw if raw is not None else {})
    with _lock:
        _parsed[key] = (raw, result)
    return result
