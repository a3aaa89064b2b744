"""One run of a site at a time, across processes: an exclusive `flock` on a file per site.

The lock file sits beside the database (`news.db.locks/<site>.lock`) and holds the holder's PID,
host and start time, so a refusal can say who holds it. The kernel releases an flock when its
process dies, however it dies (SIGKILL included), so a dead holder never blocks a later run: a
file whose recorded PID is gone is simply taken over, and the takeover is reported. (flock is
per host: on a network filesystem shared by several machines, use one scheduler per site.)
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import socket
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any


class SiteBusyError(RuntimeError):
    """Another live process runs this site; the message names it."""


def lock_dir(db_path: str | Path) -> Path:
    return Path(f"{db_path}.locks")


def _safe(site: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", site) or "_"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class SiteLock:
    db_path: str
    site: str
    handle: IO[str] | None = None
    previous: dict[str, Any] = field(default_factory=dict)  # what the file said before we took it

    @property
    def path(self) -> Path:
        return lock_dir(self.db_path) / f"{_safe(self.site)}.lock"

    def holder(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8") or "{}")
            return data
        except (OSError, ValueError):
            return {}

    def acquire(self, wait: float = 0.0) -> SiteLock:
        """Take the lock, waiting up to `wait` seconds; SiteBusyError when a live process keeps it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    held = self.holder()
                    raise SiteBusyError(
                        f"site {self.site!r} is already being crawled by pid {held.get('pid', '?')} on "
                        f"{held.get('host', '?')} since {held.get('since', '?')} (lock {self.path}); not starting"
                    ) from None
                time.sleep(0.2)
        self.previous = self.holder()
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                 "since": datetime.now(UTC).isoformat(timespec="seconds")}))  # fmt: skip
        handle.flush()
        self.handle = handle
        return self

    def stale_takeover(self) -> str | None:
        """When the file named a process that is gone (it died holding the lock), say so."""
        pid, host = self.previous.get("pid"), self.previous.get("host")
        if pid and host == socket.gethostname() and pid != os.getpid() and not pid_alive(int(pid)):
            return f"took over the lock of site {self.site!r} from pid {pid}, which is gone"
        return None

    def release(self) -> None:
        if self.handle is not None:
            # Emptied on a clean release: only a holder that died leaves its PID behind.
            self.handle.seek(0)
            self.handle.truncate()
            self.handle.flush()
            fcntl.flock(self.handle.fileno(), fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None

    def __enter__(self) -> SiteLock:
        return self.acquire() if self.handle is None else self

    def __exit__(self, *exc: object) -> None:
        self.release()
