"""gunicorn settings for `make run` and production: `gunicorn --config gunicorn.conf.py app:app`.

MOOC_BIND (default 127.0.0.1:5000), MOOC_WORKERS (processes, default one per core, at least 2),
MOOC_THREADS (threads per process, default 4) and MOOC_REUSE_PORT (default 0) override them.
Threaded workers keep idle connections alive, so a page's stylesheet and scripts reuse the page's
connection.
"""

import errno
import multiprocessing
import os
import socket
from typing import Any


def _positive(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value <= 0:
        raise ValueError(f"{name} must be a positive whole number, got {raw!r}")
    return value


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
        raise ValueError(f"{name} must be 1 or 0, got {raw!r}")
    return raw in ("1", "true", "yes", "on")


bind = os.environ.get("MOOC_BIND", "").strip() or "127.0.0.1:5000"
workers = _positive("MOOC_WORKERS", max(2, multiprocessing.cpu_count()))
threads = _positive("MOOC_THREADS", 4)
worker_class = "gthread"
keepalive = 5  # seconds an idle connection stays open
# MOOC_REUSE_PORT=1: each worker listens on a socket of its own (SO_REUSEPORT) and the kernel
# spreads new connections over them. On one shared socket the worker that wakes first accepts a
# burst of connections, and kept alive they stay with it: with a load tool's few connections one
# worker served nearly everything while another core idled (measured: 4 of 1,398 profile samples
# on the second worker). Off by default: a worker's own socket closes with it, so when gunicorn
# recycles a worker (max_requests, a timeout, a reload) the connections waiting on that socket are
# reset (measured: 16 resets over 2 recycles under wrk, none on the shared socket, whose master
# keeps it open). TCP addresses only (on_starting).
reuse_port = _flag("MOOC_REUSE_PORT", False)
timeout = 60  # a worker silent this long is restarted
graceful_timeout = 20
# Recycle workers now and then (a guard against slow leaks), with jitter so they do not all restart
# at once. Rarely: a worker takes over a second of CPU to start and begins with cold caches, so at
# a few hundred requests a second a low limit (gunicorn's usual 1,000-5,000) costs a tenth of the
# throughput.
max_requests = 100_000
max_requests_jitter = 10_000
accesslog = "-"
errorlog = "-"
# Behind reverse proxies the application reads X-Forwarded-For/-Proto/-Host itself, trusting
# exactly MOOC_TRUSTED_PROXIES hops (werkzeug ProxyFix, see mooc/factory.py).


def on_starting(server: Any) -> None:
    """Listen on one shared socket where sockets of their own cannot work: a Unix socket (one
    file), or sockets handed over by systemd or a re-executed master. Otherwise refuse an address
    another server already listens on: with SO_REUSEPORT the kernel would let a second server (a
    second `make run`, an old version left running) bind it too and quietly take half the
    connections, where a plain bind fails on any address in use."""
    cfg = server.cfg
    if not cfg.reuse_port:
        return
    addresses = cfg.address
    handed_over = "LISTEN_FDS" in os.environ or "GUNICORN_FD" in os.environ
    if handed_over or not all(isinstance(a, tuple) for a in addresses):
        cfg.set("reuse_port", False)
        return
    for host, port in addresses:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
                raise SystemExit(f"{host}:{port} is already in use by another server") from None
