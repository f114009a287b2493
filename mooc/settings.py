"""Typed settings read once from ``MOOC_*`` environment variables, with embedded defaults.

The defaults make ``flask --app app run`` work with nothing set (SQLite and local files under
``instance/``); production refuses to start without its secrets.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from limits import parse_many

from mooc.mail import check_mail_url

ENVIRONMENTS = ("development", "production", "testing")
NOTIFICATIONS_SENDERS = ("queue", "thread", "off")
QUEUE_SCHEMES = ("sqlite", "redis", "rediss", "memory")
# Largest upload per media category, in MB (MOOC_MEDIA_LIMITS_MB overrides any of them).
DEFAULT_MEDIA_LIMITS_MB: Mapping[str, int] = {
    "image": 10,
    "pdf": 50,
    "audio": 100,
    "video": 500,
    "captions": 2,
}
# MediaAsset.size is a 32-bit integer column (PostgreSQL INTEGER): no file may reach 2 GiB.
MAX_MEDIA_LIMIT_MB = 2047
DEFAULT_LOGIN_LIMIT_PER_ACCOUNT_ADDRESS = "5 per minute; 10 per hour; 20 per day"
DEFAULT_LOGIN_LIMIT_PER_ACCOUNT = "100 per hour"
DEFAULT_LOGIN_LIMIT_PER_ADDRESS = "50 per 15 minutes"
DEFAULT_RESET_LIMIT_PER_EMAIL = "3 per hour; 10 per day"
DEFAULT_RESET_LIMIT_PER_ADDRESS = "20 per hour"
# Stores the `limits` library counts in (MOOC_RATELIMIT_STORAGE_URL); memory:// is per process.
RATE_LIMIT_SCHEMES = frozenset(
    {"memory", "memcached", "mongodb", "mongodb+srv"}
    | {f"{name}{kind}" for name in ("redis", "valkey") for kind in ("", "s", "+unix")}
    | {f"{name}+{kind}" for name in ("redis", "valkey") for kind in ("sentinel", "cluster")}
)


TRANSLATIONS = Path(__file__).resolve().parent / "translations"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class PasswordHashing:
    """Argon2id cost parameters: passes over memory, memory in KiB, lanes."""

    time_cost: int
    memory_kib: int
    parallelism: int


# argon2-cffi's defaults (RFC 9106's low-memory recommendation): what real passwords get.
STRONG_PASSWORD_HASHING = PasswordHashing(time_cost=3, memory_kib=64 * 1024, parallelism=4)
# The least Argon2id accepts: still a real hash and a real verification, in microseconds, so
# the tests' hundreds of registrations and log-ins do not spend most of their time hashing.
MINIMAL_PASSWORD_HASHING = PasswordHashing(time_cost=1, memory_kib=8, parallelism=1)


@dataclass(frozen=True)
class Settings:
    """Everything the application reads from its environment."""

    env: str = "development"
    instance_path: Path = Path("instance")
    secret_key: str = ""
    # Earlier secret keys whose session cookies are still accepted while servers change keys.
    secret_key_fallbacks: tuple[str, ...] = ()
    database_url: str = ""
    storage_url: str = ""
    s3_endpoint_url: str | None = None
    base_url: str = "http://127.0.0.1:5000"
    demo: bool = False
    # The Redis every app server shares (MOOC_REDIS_URL): what must be counted or kept once for
    # all servers lives there. Rate limits use it unless MOOC_RATELIMIT_STORAGE_URL names another
    # store; memory:// (the default without Redis) counts per process.
    redis_url: str | None = None
    ratelimit_storage_url: str = "memory://"
    # How many reverse proxies stand in front of the app servers and append X-Forwarded-For,
    # -Proto and -Host: the client address (rate limits) and the public scheme and host come from
    # that many hops back. 0 (the default) trusts no such header, as a server reached directly must.
    trusted_proxies: int = 0
    # Failed log-ins (Flask-Limiter notation, several limits separated by ";"): one address
    # guessing at one account is slowed down in steps; the account's ceiling over all addresses
    # stays high, so strangers' failures cannot lock its owner out; one address over all accounts.
    login_limit_per_account_address: str = DEFAULT_LOGIN_LIMIT_PER_ACCOUNT_ADDRESS
    login_limit_per_account: str = DEFAULT_LOGIN_LIMIT_PER_ACCOUNT
    login_limit_per_address: str = DEFAULT_LOGIN_LIMIT_PER_ADDRESS
    # Outgoing mail (password recovery): smtp://, smtps:// or file:// (an outbox folder); empty
    # means the folder `outbox` in the instance folder. The sender of every message.
    mail_url: str = ""
    mail_from: str = "mooc <no-reply@localhost>"
    # Password-recovery requests (each one counts), per email asked about and per address.
    # Who sends notification emails and runs the hourly reminders: "queue" (the background
    # worker, every minute: the default), "thread" (a background thread in each web process) or
    # "off" (`flask notifications send --loop` from cron or systemd).
    # Off unless loaded from the environment, so an app built in a test schedules nothing.
    notifications_sender: str = "off"
    reset_limit_per_email: str = DEFAULT_RESET_LIMIT_PER_EMAIL
    reset_limit_per_address: str = DEFAULT_RESET_LIMIT_PER_ADDRESS
    max_request_mb: int = 64
    page_size: int = 12
    languages: tuple[str, ...] = ("vi", "en")
    default_language: str = "vi"
    default_timezone: str = "Asia/Ho_Chi_Minh"  # pages show times here unless a user chooses
    lrs_url: str | None = None
    lrs_username: str | None = None
    lrs_password: str | None = None
    media_limits_mb: Mapping[str, int] = field(
        default_factory=lambda: dict(DEFAULT_MEDIA_LIMITS_MB)
    )
    # SCORM packages: the separate origin their untrusted files are served from (content_app.py;
    # never the platform's own origin), and the most a package may unpack to, in MB.
    content_origin: str = "http://localhost:5001"
    scorm_max_mb: int = 200
    # Signed records: the key-encryption key of the issuers' private keys (urlsafe base64 of
    # 32 bytes), did:web hosts whose documents and status lists may be fetched, how old a
    # fetched status list may be, the platform's own issuer (transcripts), the verify size cap.
    key_encryption_key: str = ""
    did_web_allowlist: tuple[str, ...] = ()
    status_list_max_age: int = 300
    platform_issuer: str = "bo-giao-duc"
    verify_max_kb: int = 512
    verify_limit_per_address: str = "60 per minute"
    # The pepper of institution API tokens' HMAC hashes; empty means API tokens are turned off.
    api_token_pepper: str = ""
    # The job queue (MOOC_QUEUE_URL): redis://… shared by every server, sqlite:///path, or
    # memory:// (jobs run where they are enqueued); empty means instance/jobs.sqlite3. The
    # worker's threads (MOOC_JOBS_WORKERS).
    queue_url: str = ""
    jobs_workers: int = 2
    # How long a lecture view waits to be written with the next ones (MOOC_VIEWS_GATHER_MS:
    # mooc/learning/view_writer.py; 0 writes each at once).
    views_gather_ms: int = 50
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def password_hashing(self) -> PasswordHashing:
        """Minimal under testing only; development hashes like production."""
        return MINIMAL_PASSWORD_HASHING if self.env == "testing" else STRONG_PASSWORD_HASHING

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **overrides)


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc
    if value <= 0:
        raise SettingsError(f"{name} must be positive, got {value}")
    return value


def _count(environ: Mapping[str, str], name: str, default: int) -> int:
    """A whole number that may be zero."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0:
        raise SettingsError(f"{name} must be 0 or more, got {value}")
    return value


def _media_limits(raw: str | None) -> dict[str, int]:
    """Parse ``"image=10,pdf=50,audio=100,video=500,captions=2"``; categories left out keep
    their default."""
    limits = dict(DEFAULT_MEDIA_LIMITS_MB)
    if not raw or not raw.strip():
        return limits
    seen: set[str] = set()
    for part in raw.split(","):
        if not part.strip():
            continue  # a trailing comma is harmless
        category, sep, value = (piece.strip() for piece in part.partition("="))
        if not sep or category not in DEFAULT_MEDIA_LIMITS_MB:
            raise SettingsError(
                "MOOC_MEDIA_LIMITS_MB is a list like "
                "'image=10,pdf=50,audio=100,video=500,captions=2' "
                f"(categories: {', '.join(DEFAULT_MEDIA_LIMITS_MB)}); got {part.strip()!r}"
            )
        if category in seen:
            raise SettingsError(f"MOOC_MEDIA_LIMITS_MB names {category!r} twice")
        seen.add(category)
        try:
            megabytes = int(value)
        except ValueError:
            raise SettingsError(
                f"MOOC_MEDIA_LIMITS_MB: {category} must be a whole number of MB, got {value!r}"
            ) from None
        if not 1 <= megabytes <= MAX_MEDIA_LIMIT_MB:
            raise SettingsError(
                f"MOOC_MEDIA_LIMITS_MB: {category} must be from 1 to {MAX_MEDIA_LIMIT_MB} MB, "
                f"got {megabytes}"
            )
        limits[category] = megabytes
    return limits


def _generated_secret(instance_path: Path, name: str, make: Callable[[], str]) -> str:
    """A development secret made by `make` once and kept in the instance folder as `name`
    (never in git, never in the database it protects)."""
    path = instance_path / name
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    value = make()
    path.write_text(value)
    path.chmod(0o600)
    return value


def _random_text() -> str:
    return secrets.token_urlsafe(48)


def _random_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def _api_token_pepper(raw: str, env: str, instance_path: Path) -> str:
    """Production without MOOC_API_TOKEN_PEPPER starts with API tokens turned off (a pepper made
    up on one machine would orphan every token on the next); elsewhere one is generated."""
    if raw.strip():
        if len(raw.strip()) < 32:
            raise SettingsError("MOOC_API_TOKEN_PEPPER must be at least 32 characters")
        return raw.strip()
    if env == "production":
        return ""
    return _generated_secret(instance_path, "api_token_pepper", _random_text)


def _key_encryption_key(raw: str) -> str:
    try:
        decoded = base64.urlsafe_b64decode(raw.strip() + "=" * (-len(raw.strip()) % 4))
    except (binascii.Error, ValueError):
        decoded = b""
    if len(decoded) != 32:
        raise SettingsError(
            "MOOC_KEY_ENCRYPTION_KEY must be 32 random bytes in urlsafe base64, e.g. "
            "python -c 'import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())'"
        )
    return raw.strip()


def _rate(environ: Mapping[str, str], name: str, default: str) -> str:
    """A Flask-Limiter rate such as ``60 per minute`` (or ``10/second``), checked at start-up."""
    raw = environ.get(name, "").strip() or default
    try:
        parse_many(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a rate such as '60 per minute', got {raw!r}") from None
    return raw


def _hosts(raw: str | None) -> tuple[str, ...]:
    """A comma-separated list of host names (a port as `host:8443`), lower-cased."""
    return tuple(host.strip().lower() for host in (raw or "").split(",") if host.strip())


def _rate_limit(env_vars: Mapping[str, str], name: str, default: str) -> str:
    """A Flask-Limiter limit such as "5 per minute; 10 per hour", checked at start-up."""
    raw = env_vars.get(name, default).strip()
    try:
        parsed = parse_many(raw)
    except ValueError:
        parsed = []
    if not parsed:
        raise SettingsError(f"{name} must be limits like '5 per minute; 10 per hour', got {raw!r}")
    return raw


def _secret_key_fallbacks(raw: str, env: str) -> tuple[str, ...]:
    """MOOC_SECRET_KEY_FALLBACKS: earlier secret keys, comma-separated, newest first."""
    keys = tuple(key.strip() for key in raw.split(",") if key.strip())
    if env == "production" and any(len(key) < 32 for key in keys):
        raise SettingsError("each of MOOC_SECRET_KEY_FALLBACKS must be at least 32 characters")
    return keys


def _redis_url(raw: str) -> str | None:
    """MOOC_REDIS_URL: ``redis://host:6379/0`` (or ``rediss://`` with TLS), or nothing."""
    raw = raw.strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise SettingsError(
            f"MOOC_REDIS_URL must look like redis://host:6379/0 (rediss:// for TLS), got {raw!r}"
        )
    return raw


def _queue_url(raw: str, redis_url: str | None) -> str:
    """MOOC_QUEUE_URL, else the shared Redis, else "" (a SQLite file in the instance folder)."""
    url = raw.strip() or redis_url or ""
    if url and urlsplit(url).scheme not in QUEUE_SCHEMES:
        raise SettingsError(
            "MOOC_QUEUE_URL must be redis://host:6379/0, sqlite:////path/jobs.sqlite3 or "
            f"memory://, got {url!r}"
        )
    if url.startswith("sqlite:") and not urlsplit(url).path.strip("/"):
        raise SettingsError(f"MOOC_QUEUE_URL names no file: {url!r}")
    return url


def _ratelimit_storage_url(raw: str, redis_url: str | None) -> str:
    """Where rate limits count: MOOC_RATELIMIT_STORAGE_URL, else the shared Redis, else each
    process for itself (memory://)."""
    url = raw.strip() or redis_url or "memory://"
    scheme = urlsplit(url).scheme
    if scheme not in RATE_LIMIT_SCHEMES:
        raise SettingsError(
            "MOOC_RATELIMIT_STORAGE_URL must be memory:// or a shared store such as "
            f"redis://host:6379/0, got {url!r}"
        )
    return url


def _account_limits(env_vars: Mapping[str, str]) -> dict[str, Any]:
    """The limits on failed log-ins and on password-recovery requests, by setting name."""
    return {
        name: _rate_limit(env_vars, f"MOOC_{name.upper()}", default)
        for name, default in (
            ("login_limit_per_account_address", DEFAULT_LOGIN_LIMIT_PER_ACCOUNT_ADDRESS),
            ("login_limit_per_account", DEFAULT_LOGIN_LIMIT_PER_ACCOUNT),
            ("login_limit_per_address", DEFAULT_LOGIN_LIMIT_PER_ADDRESS),
            ("reset_limit_per_email", DEFAULT_RESET_LIMIT_PER_EMAIL),
            ("reset_limit_per_address", DEFAULT_RESET_LIMIT_PER_ADDRESS),
        )
    }


def _choice(env_vars: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    raw = env_vars.get(name, "").strip().lower() or default
    if raw not in allowed:
        raise SettingsError(f"{name} must be one of {', '.join(allowed)}, got {raw!r}")
    return raw


def _mail_url(raw: str, instance_path: Path) -> str:
    if not raw.strip():
        return f"file://{instance_path / 'outbox'}"
    try:
        check_mail_url(raw.strip())
    except ValueError as exc:
        raise SettingsError(
            "MOOC_MAIL_URL must look like smtp://user:pass@host:587, smtps://user:pass@host:465 "
            f"or file://instance/outbox ({exc})"
        ) from None
    return raw.strip()


def _mail_from(raw: str, base_url: str) -> str:
    if not raw.strip():
        host = urlsplit(base_url).hostname or "localhost"
        return f"mooc <no-reply@{host}>"
    _name, address = parseaddr(raw.strip())
    if "@" not in address:
        raise SettingsError(
            f"MOOC_MAIL_FROM must be an address such as 'mooc <no-reply@example.org>', got {raw!r}"
        )
    return raw.strip()


def _environment(env_vars: Mapping[str, str]) -> str:
    env = env_vars.get("MOOC_ENV", "development").strip().lower()
    if env not in ENVIRONMENTS:
        raise SettingsError(f"MOOC_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")
    return env


def _require_production_values(env_vars: Mapping[str, str]) -> None:
    """Production never falls back to generated secrets, SQLite or a made-up address."""
    missing = [
        name
        for name in (
            "MOOC_SECRET_KEY",
            "MOOC_DATABASE_URL",
            "MOOC_BASE_URL",
            "MOOC_KEY_ENCRYPTION_KEY",
        )
        if not env_vars.get(name)
    ]
    if missing:
        raise SettingsError("production needs " + ", ".join(missing))
    if len(env_vars["MOOC_SECRET_KEY"]) < 32:
        raise SettingsError("MOOC_SECRET_KEY must be at least 32 characters in production")
    if urlsplit(env_vars.get("MOOC_STORAGE_URL", "")).scheme == "memory":
        # Media kept in one process's memory vanish on restart and exist on no other server.
        raise SettingsError(
            "MOOC_STORAGE_URL=memory:// is for tests; production uses s3:// or file://"
        )


def _default_language(env_vars: Mapping[str, str], languages: tuple[str, ...]) -> str:
    default_language = env_vars.get("MOOC_DEFAULT_LANGUAGE", "vi")
    if default_language not in languages:
        raise SettingsError(f"MOOC_DEFAULT_LANGUAGE must be one of {languages}")
    return default_language


def _default_timezone(env_vars: Mapping[str, str]) -> str:
    # MOOC_TIMEZONE is the documented name; MOOC_DEFAULT_TIMEZONE, its first name, stays accepted.
    zone_var = "MOOC_TIMEZONE" if "MOOC_TIMEZONE" in env_vars else "MOOC_DEFAULT_TIMEZONE"
    default_timezone = env_vars.get(zone_var, "Asia/Ho_Chi_Minh").strip()
    if default_timezone not in zoneinfo.available_timezones():
        raise SettingsError(f"{zone_var} must be an IANA time zone such as Asia/Ho_Chi_Minh")
    return default_timezone


def _content_origin(raw: str, base_url: str) -> str:
    """Where SCORM package files are served: a scheme, a host and a port, no path; never the
    platform's own origin, whose cookies and pages a package must not reach."""
    value = (raw or "http://localhost:5001").strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
        raise SettingsError(
            f"MOOC_CONTENT_ORIGIN must be an origin like https://content.example.org, got {value!r}"
        )
    platform = urlsplit(base_url)
    if (parts.scheme, parts.netloc) == (platform.scheme, platform.netloc):
        raise SettingsError("MOOC_CONTENT_ORIGIN must differ from the platform's MOOC_BASE_URL")
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build `Settings` from the environment; raise `SettingsError` on bad or missing values."""
    env_vars = os.environ if environ is None else environ
    env = _environment(env_vars)
    instance_path = Path(env_vars.get("MOOC_INSTANCE_PATH", "instance")).resolve()
    if env == "production":
        _require_production_values(env_vars)
    # What is not set falls back to the instance folder: secrets generated there once, the
    # SQLite database, the media.
    secret_key = env_vars.get("MOOC_SECRET_KEY") or _generated_secret(
        instance_path, "secret_key", _random_text
    )
    database_url = (
        env_vars.get("MOOC_DATABASE_URL") or f"sqlite:///{instance_path / 'mooc.sqlite3'}"
    )
    storage_url = env_vars.get("MOOC_STORAGE_URL") or f"file://{instance_path / 'media'}"
    key_encryption_key = _key_encryption_key(
        env_vars.get("MOOC_KEY_ENCRYPTION_KEY")
        or _generated_secret(instance_path, "key_encryption_key", _random_key)
    )
    languages = ("vi", "en")
    default_language = _default_language(env_vars, languages)
    default_timezone = _default_timezone(env_vars)

    base_url = env_vars.get("MOOC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    redis_url = _redis_url(env_vars.get("MOOC_REDIS_URL", ""))
    return Settings(
        env=env,
        instance_path=instance_path,
        secret_key=secret_key,
        secret_key_fallbacks=_secret_key_fallbacks(
            env_vars.get("MOOC_SECRET_KEY_FALLBACKS", ""), env
        ),
        database_url=database_url,
        storage_url=storage_url,
        s3_endpoint_url=env_vars.get("MOOC_S3_ENDPOINT_URL") or None,
        base_url=base_url,
        demo=_flag(env_vars.get("MOOC_DEMO")),
        redis_url=redis_url,
        ratelimit_storage_url=_ratelimit_storage_url(
            env_vars.get("MOOC_RATELIMIT_STORAGE_URL", ""), redis_url
        ),
        trusted_proxies=_count(env_vars, "MOOC_TRUSTED_PROXIES", 0),
        **_account_limits(env_vars),
        mail_url=_mail_url(env_vars.get("MOOC_MAIL_URL", ""), instance_path),
        mail_from=_mail_from(env_vars.get("MOOC_MAIL_FROM", ""), base_url),
        notifications_sender=_choice(
            env_vars, "MOOC_NOTIFICATIONS_SENDER", NOTIFICATIONS_SENDERS, default="queue"
        ),
        queue_url=_queue_url(env_vars.get("MOOC_QUEUE_URL", ""), redis_url),
        jobs_workers=_int(env_vars, "MOOC_JOBS_WORKERS", 2),
        views_gather_ms=_count(env_vars, "MOOC_VIEWS_GATHER_MS", 50),
        max_request_mb=_int(env_vars, "MOOC_MAX_REQUEST_MB", 64),
        page_size=_int(env_vars, "MOOC_PAGE_SIZE", 12),
        languages=languages,
        default_language=default_language,
        default_timezone=default_timezone,
        lrs_url=env_vars.get("MOOC_LRS_URL") or None,
        lrs_username=env_vars.get("MOOC_LRS_USERNAME") or None,
        lrs_password=env_vars.get("MOOC_LRS_PASSWORD") or None,
        media_limits_mb=_media_limits(env_vars.get("MOOC_MEDIA_LIMITS_MB")),
        content_origin=_content_origin(env_vars.get("MOOC_CONTENT_ORIGIN", ""), base_url),
        scorm_max_mb=_int(env_vars, "MOOC_SCORM_MAX_MB", 200),
        key_encryption_key=key_encryption_key,
        did_web_allowlist=_hosts(env_vars.get("MOOC_DID_WEB_ALLOWLIST")),
        status_list_max_age=_int(env_vars, "MOOC_STATUS_LIST_MAX_AGE", 300),
        platform_issuer=env_vars.get("MOOC_PLATFORM_ISSUER", "bo-giao-duc").strip(),
        verify_max_kb=_int(env_vars, "MOOC_VERIFY_MAX_KB", 512),
        verify_limit_per_address=_rate(env_vars, "MOOC_VERIFY_LIMIT_PER_ADDRESS", "60 per minute"),
        api_token_pepper=_api_token_pepper(
            env_vars.get("MOOC_API_TOKEN_PEPPER", ""), env, instance_path
        ),
    )


def single_server_parts(settings: Settings) -> list[str]:
    """What keeps state on this one machine, so that a second app server would not see it:
    empty when any number of app servers may share the work."""
    parts = []
    if settings.database_url.startswith("sqlite"):
        parts.append("the SQLite database (MOOC_DATABASE_URL)")
    if urlsplit(settings.storage_url).scheme in ("file", "memory"):
        parts.append("media in a local folder (MOOC_STORAGE_URL)")
    if settings.ratelimit_storage_url.startswith("memory:"):
        parts.append("rate limits counted per process (MOOC_REDIS_URL)")
    if settings.mail_url.startswith("file:"):
        parts.append("mail written to a local folder (MOOC_MAIL_URL)")
    if urlsplit(settings.queue_url).scheme not in ("redis", "rediss"):
        parts.append("background jobs queued in a local SQLite file (MOOC_QUEUE_URL)")
    return parts


def flask_config(settings: Settings) -> dict[str, Any]:
    """The Flask and extension configuration that `settings` stands for (``extra["flask"]``,
    tests' overrides, last)."""
    return {
        "MOOC_SETTINGS": settings,
        "SECRET_KEY": settings.secret_key,
        "SECRET_KEY_FALLBACKS": list(settings.secret_key_fallbacks),
        "SQLALCHEMY_ENGINES": {"default": settings.database_url},
        "MAX_CONTENT_LENGTH": settings.max_request_mb * 1024 * 1024,
        # A lecture's text may be 500,000 characters, up to 3 bytes each in UTF-8.
        "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.is_production,
        "SESSION_COOKIE_NAME": "mooc_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": settings.is_production,
        "WTF_CSRF_TIME_LIMIT": None if not settings.is_production else 8 * 3600,
        "BABEL_DEFAULT_LOCALE": settings.default_language,
        "BABEL_DEFAULT_TIMEZONE": settings.default_timezone,
        "BABEL_TRANSLATION_DIRECTORIES": str(TRANSLATIONS),
        "RATELIMIT_STORAGE_URI": settings.ratelimit_storage_url,
        # Keys read "LIMITS:LIMITER/mooc/…", apart from anything else kept in the same Redis.
        "RATELIMIT_KEY_PREFIX": "mooc",
        # Should the shared store stop answering, each process counts for itself until it answers
        # again (checked every few requests) rather than failing every limited request with a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": not settings.ratelimit_storage_url.startswith(
            "memory:"
        ),
        "RATELIMIT_ENABLED": settings.extra.get("ratelimit", True),
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_MIN_SIZE": 500,
        # Streamed responses (static files, media) are sent as they are: Flask-Compress would
        # wrap the file without ever closing it. Pages and JSON are compressed.
        "COMPRESS_STREAMS": False,
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "application/problem+json",
            "image/svg+xml",
            "text/csv",
        ],
        "TESTING": settings.env == "testing",
        **settings.extra.get("flask", {}),
    }
