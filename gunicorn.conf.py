"""gunicorn settings for `make run` and production: `gunicorn --config gunicorn.conf.py app:app`.

MOOC_BIND (default 127.0.0.1:5000), MOOC_WORKERS (processes, default one per core, at least 2)
and MOOC_THREADS (threads per process, default 4) override them. Threaded workers keep idle
connections alive, so a page's stylesheet and scripts reuse the page's connection.
"""

import multiprocessing
import os


def _positive(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value <= 0:
        raise ValueError(f"{name} must be a positive whole number, got {raw!r}")
    return value


bind = os.environ.get("MOOC_BIND", "").strip() or "127.0.0.1:5000"
workers = _positive("MOOC_WORKERS", max(2, multiprocessing.cpu_count()))
threads = _positive("MOOC_THREADS", 4)
worker_class = "gthread"
keepalive = 5  # seconds an idle connection stays open
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
