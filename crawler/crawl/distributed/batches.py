"""A worker's batch as one JSON text in Redis: what the storage pipeline would have written.

Pure. Bytes (compressed raw pages, MinHash signatures) travel as base64 in {"$b64": ...}.
"""

from __future__ import annotations

import base64
import json
from typing import Any

# archived: records of WARC files stored with this batch; warc_files: WARC files a worker read whole.
PARTS = ("articles", "pages", "drops", "decisions", "seen", "not_modified", "signatures", "archived", "warc_files")


def _default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and "$b64" in obj:
        return base64.b64decode(obj["$b64"])
    return obj


def encode(batch: dict[str, Any]) -> str:
    return json.dumps({part: batch.get(part) or ([] if part != "signatures" else {}) for part in PARTS},
                      ensure_ascii=False, default=_default)  # fmt: skip


def decode(text: str | bytes) -> dict[str, Any]:
    batch: dict[str, Any] = json.loads(text, object_hook=_hook)
    return batch
