"""Several stateless app servers: two gunicorn servers and the background worker (real
processes, each with its own empty instance folder) share one PostgreSQL database, one Redis
and one S3-compatible server (moto_server). A learner's browser alternates between the servers
on every request, with one cookie jar, and notices nothing; a teacher's upload on one server is
served by the other from S3 and the worker (`flask jobs worker`, on the job queue in the same
Redis) makes its renditions; failed log-ins are counted once for both servers.

The servers run as `development` with every production secret given (production would mark the
cookies Secure, which a client on plain http must not send back).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
import redis
import requests
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from mooc.assessment.models import QuizAttempt
from tests.integration.deployment.processes import free_port, running, wait_answering
from tests.integration.learning.learners import right_answers

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
PG_BASE = os.environ.get("MOOC_TEST_DATABASE_URL", "").rstrip("/")
REDIS_BASE = os.environ.get("MOOC_TEST_REDIS_URL", "").rstrip("/") or "redis://127.0.0.1:6379"
WORKER = [str(ROOT / "scripts" / "worker.sh"), str(BIN)]  # what `make run` starts beside gunicorn
BUCKET = "mooc-media"
COURSE, LECTURE, QUIZ = "toan-lop-6", "tap-hop", "kiem-tra-toan-6"
PACKAGE_COURSE = "tieng-viet-lop-1"
LESSON = ROOT / "tests" / "data" / "media" / "lesson.mp4"  # 320×240 with a tone, 2 s
DEMO_PASSWORD = "demo-password"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

pytestmark = pytest.mark.skipif(
    not PG_BASE,
    reason="several app servers share one PostgreSQL database: set MOOC_TEST_DATABASE_URL "
    "(e.g. postgresql+psycopg://postgres:postgres@127.0.0.1:5432)",
)


CLAIM = "mooc-test:claimed-by"  # the key that makes a Redis database this test's own


def _free_redis_db() -> str:
    """A Redis database nobody uses, claimed with a key (so a parallel test run or another
    suite looking for an empty database passes it by), or a skip saying why there is none."""
    try:
        client = redis.Redis.from_url(REDIS_BASE + "/0", socket_connect_timeout=2)
        count = int(client.config_get("databases").get("databases", 16))
        for number in range(count - 1, 0, -1):
            database = redis.Redis.from_url(f"{REDIS_BASE}/{number}")
            if not database.dbsize() and database.set(CLAIM, uuid.uuid4().hex, nx=True, ex=3600):
                return f"{REDIS_BASE}/{number}"
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_BASE} (MOOC_TEST_REDIS_URL): {error}")
    pytest.skip(f"every database of the Redis at {REDIS_BASE} holds keys")


@dataclass
class Deployment:
    """Two app servers' base URLs, the shared database's URL, and the logs."""

    servers: tuple[str, str]
    database_url: str
    s3: str
    logs: Path

    def browser(self) -> Browser:
        return Browser(self.servers)


@dataclass
class Browser:
    """One cookie jar; each request goes to the other server than the one before (redirects
    too, followed by hand)."""

    servers: tuple[str, str]
    http: requests.Session = field(default_factory=requests.Session)
    served_by: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.http.headers["Accept-Language"] = "en"

    def request(
        self, method: str, path: str, *, server: str | None = None, **kwargs: Any
    ) -> requests.Response:
        """`server` (a base URL) or, unless given, the other server than last time."""
        server = server or self.servers[len(self.served_by) % 2]
        self.served_by.append(server)
        return self.http.request(method, server + path, allow_redirects=False, timeout=30, **kwargs)

    def get(self, path: str) -> requests.Response:
        return self.request("GET", path)

    def post(
        self, path: str, data: dict[str, Any], *, form: str | None = None, **kwargs: Any
    ) -> requests.Response:
        """A form sent with the CSRF token of its page, `form` (`path` unless given), which
        the other server than the one that answers the form's POST has given."""
        token = _CSRF.search(self.get(form or path).text)
        assert token, f"no CSRF token on {form or path}"
        return self.request("POST", path, data={"csrf_token": token.group(1), **data}, **kwargs)

    def follow(self, response: requests.Response) -> requests.Response:
        assert response.status_code in (302, 303), (response.status_code, response.text[:300])
        location = urlsplit(response.headers["Location"])
        return self.get(location.path + (f"?{location.query}" if location.query else ""))


@pytest.fixture(scope="module")
def deployment(
    tmp_path_factory: pytest.TempPathFactory,
    fresh_database_url: Callable[[str], str],
    moto_server: str,
) -> Iterator[Deployment]:
    tmp = tmp_path_factory.mktemp("servers")
    redis_url = _free_redis_db()
    env = _environment(fresh_database_url("postgresql"), redis_url, moto_server, tmp)
    _create_bucket(moto_server)
    _set_up_like_make_run(env, tmp)
    ports = (free_port(), free_port())
    with ExitStack() as stack:
        worker_log = tmp / "worker.log"
        stack.enter_context(
            running(WORKER, cwd=ROOT, env=_own_instance(env, tmp, "worker"), log=worker_log)
        )
        for name, port in zip("ab", ports, strict=True):
            log = tmp / f"server-{name}.log"
            server_env = {**_own_instance(env, tmp, name), "MOOC_BIND": f"127.0.0.1:{port}"}
            process = stack.enter_context(
                running(
                    [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "app:app"],
                    cwd=ROOT,
                    env=server_env,
                    log=log,
                )
            )
            wait_answering(port, process, log)
        servers = (f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}")
        yield Deployment(servers, env["MOOC_DATABASE_URL"], moto_server, tmp)
    redis.Redis.from_url(redis_url).flushdb()  # only the database this test claimed empty
    for name in ("a", "b", "worker"):  # nothing a server needs was kept on its own disk
        assert not list((tmp / name).iterdir()), name
    for log in ("server-a.log", "server-b.log", "worker.log"):  # and nothing failed unseen
        assert "Traceback" not in (tmp / log).read_text(), (tmp / log).read_text()[-3000:]


def _environment(database_url: str, redis_url: str, s3: str, tmp: Path) -> dict[str, str]:
    """The settings every process gets alike, as a production set-up gives them."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MOOC_") and not key.startswith("AWS_")
    }
    return {
        **env,
        "MOOC_SECRET_KEY": "several-servers-secret-" + "s" * 20,
        "MOOC_KEY_ENCRYPTION_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        "MOOC_API_TOKEN_PEPPER": "several-servers-pepper-" + "p" * 20,
        "MOOC_DATABASE_URL": database_url,
        "MOOC_REDIS_URL": redis_url,
        "MOOC_QUEUE_URL": redis_url,  # the job queue, where the worker reads it
        "MOOC_STORAGE_URL": f"s3://{BUCKET}",
        "MOOC_S3_ENDPOINT_URL": s3,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "MOOC_BASE_URL": "http://mooc.test",
        "MOOC_MAIL_URL": f"file://{tmp / 'outbox'}",
        "MOOC_WORKERS": "1",
        "MOOC_THREADS": "2",
    }


def _own_instance(env: dict[str, str], tmp: Path, name: str) -> dict[str, str]:
    folder = tmp / name
    folder.mkdir(exist_ok=True)
    return {**env, "MOOC_INSTANCE_PATH": str(folder)}


def _s3(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def _create_bucket(endpoint: str) -> None:
    _s3(endpoint).create_bucket(Bucket=BUCKET)


def _set_up_like_make_run(env: dict[str, str], tmp: Path) -> None:
    """Migrate, import the seed courses (media into S3) and load the demo accounts."""
    setup = {**_own_instance(env, tmp, "setup"), "MOOC_DEMO": "1"}
    for command in (["db", "upgrade"], ["content", "import", "content"], ["demo", "load"]):
        done = subprocess.run(
            [str(BIN / "flask"), "--app", "app", *command],
            cwd=ROOT,
            env=setup,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    command = [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    with running(command, cwd=ROOT, env=os.environ, log=log) as process:
        wait_answering(port, process, log, path="/moto-api/")
        yield f"http://127.0.0.1:{port}"


def test_a_learners_journey_alternates_between_the_servers(deployment: Deployment) -> None:
    learner = deployment.browser()
    email = f"pupil-{uuid.uuid4().hex[:8]}@example.edu.vn"
    password = "a long enough password"
    registered = learner.post(
        "/register",
        {"name": "Nguyễn Văn An", "email": email, "password": password, "confirm": password},
    )
    assert registered.status_code == 303, registered.text[:500]
    # Out and in again: the session that a server signed is read by the other one.
    assert learner.post("/logout", {}, form="/dashboard").status_code == 303
    assert learner.get("/dashboard").status_code == 302  # logged out on both
    logged_in = learner.post("/login", {"login": email, "password": password})
    assert logged_in.status_code == 303, logged_in.text[:500]
    assert "Nguyễn Văn An" in learner.follow(logged_in).text

    enrolled = learner.post(f"/courses/{COURSE}/enrol", {}, form=f"/courses/{COURSE}")
    assert enrolled.status_code == 303
    page = learner.get(f"/courses/{COURSE}/lectures/{LECTURE}")
    assert page.status_code == 200 and "Tập hợp" in page.text
    lecture = f"/courses/{COURSE}/lectures/{LECTURE}"
    assert learner.post(f"{lecture}/done", {}, form=lecture).status_code == 303

    quiz = f"/courses/{COURSE}/quizzes/{QUIZ}"
    started = learner.post(f"{quiz}/start", {}, form=quiz)
    assert started.status_code == 303
    attempt_path = urlsplit(started.headers["Location"]).path
    answers = right_answers(_attempt(deployment, attempt_path))
    submitted = learner.post(f"{attempt_path}/submit", answers, form=attempt_path)
    assert submitted.status_code == 303, submitted.text[:500]
    result = learner.follow(submitted).text
    assert "Attempt 1: 100%" in result and "Passed." in result

    dashboard = learner.get("/dashboard").text
    assert "1 of 7 lectures done" in dashboard
    assert "1 of 1 quiz passed" in dashboard
    assert 'class="done"' in learner.get(f"/courses/{COURSE}").text
    first, second = deployment.servers
    assert learner.served_by.count(first) == learner.served_by.count(second) >= 10


def _wait_for_rendition(browser: Browser, path: str) -> requests.Response:
    """The rendition's redirect to S3, once the worker has made it (the upload enqueued the
    job on the shared Redis queue; a busy 2-core machine transcodes slowly)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        answer = browser.get(path)
        if answer.status_code == 302:
            return answer
        assert answer.status_code == 404, (answer.status_code, answer.text[:300])
        time.sleep(1)
    raise AssertionError(f"no rendition at {path} after 180 s: did the worker run?")


def _attempt(deployment: Deployment, path: str) -> QuizAttempt:
    """The attempt's questions as the database holds them, to answer them right."""
    engine = create_engine(deployment.database_url)
    try:
        with Session(engine) as session:
            found = session.get(QuizAttempt, int(path.rsplit("/", 1)[1]))
            assert found is not None
            session.expunge(found)
            return found
    finally:
        engine.dispose()


def test_a_teachers_upload_on_one_server_is_served_by_the_other_from_s3(
    deployment: Deployment,
) -> None:
    teacher = deployment.browser()
    logged_in = teacher.post("/login", {"login": "teacher@demo.test", "password": DEMO_PASSWORD})
    assert logged_in.status_code == 303, logged_in.text[:500]
    library = f"/author/courses/{COURSE}/media"
    data = LESSON.read_bytes()
    uploaded = teacher.post(library, {}, files={"file": ("lesson.mp4", data, "video/mp4")})
    assert uploaded.status_code == 303, uploaded.text[:500]

    served = teacher.get(f"/courses/{COURSE}/media/lesson.mp4")
    assert served.status_code == 302  # to a presigned URL of the bucket, not from a disk
    location = served.headers["Location"]
    assert location.startswith(deployment.s3) and f"/{BUCKET}/" in location
    fetched = requests.get(location, timeout=30)
    assert fetched.status_code == 200 and fetched.content == data

    # The worker made its smaller copies; both servers hand them out from S3.
    rendition = _wait_for_rendition(teacher, f"/courses/{COURSE}/media/lesson.mp4/144p")
    copy = requests.get(rendition.headers["Location"], timeout=30)
    assert copy.status_code == 200
    assert copy.headers["Content-Type"] == "video/mp4"
    assert 0 < len(copy.content) < len(data)


def test_failed_log_ins_are_counted_once_for_both_servers(deployment: Deployment) -> None:
    """MOOC_LOGIN_LIMIT_PER_ACCOUNT_ADDRESS allows 5 failures a minute: five on one server use
    it up for the other too."""
    guesser = deployment.browser()
    first, second = deployment.servers
    tries = [first] * 5 + [second]
    answers = [
        guesser.post(
            "/login", {"login": "student@demo.test", "password": f"wrong {n}"}, server=server
        )
        for n, server in enumerate(tries)
    ]
    assert [answer.status_code for answer in answers] == [422] * 5 + [429]
    assert "Retry-After" in answers[-1].headers


def test_a_package_previewed_on_one_server_is_imported_on_the_other(
    deployment: Deployment,
) -> None:
    """The zip waits between the preview and the confirmation in S3, not on the server that
    received it."""
    teacher = deployment.browser()
    logged_in = teacher.post("/login", {"login": "teacher@demo.test", "password": DEMO_PASSWORD})
    assert logged_in.status_code == 303, logged_in.text[:500]
    exported = teacher.get(f"/author/courses/{PACKAGE_COURSE}/export.zip")
    assert exported.status_code == 200
    files = {"file": (f"{PACKAGE_COURSE}.zip", exported.content, "application/zip")}
    preview = teacher.post("/author/import", {}, files=files)
    assert preview.status_code == 200, preview.text[:500]
    token = re.search(r'name="token"[^>]*value="([^"]+)"', preview.text)
    assert token, preview.text[:500]
    assert _held_packages(deployment) == 1

    confirmed = teacher.post(
        "/author/import/confirm", {"token": token.group(1)}, form="/author/import"
    )
    assert confirmed.status_code == 303
    assert urlsplit(confirmed.headers["Location"]).path == "/author/"
    # Applied (not "this import preview has expired"); the demo teacher reads Vietnamese.
    flashes = re.findall(r'class="flash flash-(\w+)">([^<]*)<', teacher.follow(confirmed).text)
    assert [kind for kind, _ in flashes] == ["success"], flashes
    assert flashes[0][1].startswith("Đã tạo 0, đã cập nhật ")
    assert _held_packages(deployment) == 0


def _held_packages(deployment: Deployment) -> int:
    listing = _s3(deployment.s3).list_objects_v2(Bucket=BUCKET, Prefix="package-imports/")
    return int(listing["KeyCount"])


def test_a_record_signed_on_one_server_verifies_on_the_other(deployment: Deployment) -> None:
    """The issuer's key is sealed in the shared database under the shared key-encryption key:
    whichever server completes the course signs, and the other verifies."""
    learner = deployment.browser()
    email = f"pupil-{uuid.uuid4().hex[:8]}@example.edu.vn"
    password = "a long enough password"
    form = {"name": "Trần Thị Bình", "email": email, "password": password, "confirm": password}
    assert learner.post("/register", form).status_code == 303
    course = f"/courses/{PACKAGE_COURSE}"
    assert learner.post(f"{course}/enrol", {}, form=course).status_code == 303
    for lecture in ("chu-cai-va-am", "thanh-dieu", "van-va-tieng", "doc-cau-don-gian"):
        page = f"{course}/lectures/{lecture}"
        assert learner.post(f"{page}/done", {}, form=page).status_code == 303
    quiz = f"{course}/quizzes/on-tap-tieng-viet"
    started = learner.post(f"{quiz}/start", {}, form=quiz)
    attempt_path = urlsplit(started.headers["Location"]).path
    answers = right_answers(_attempt(deployment, attempt_path))
    assert learner.post(f"{attempt_path}/submit", answers, form=attempt_path).status_code == 303
    signer = learner.served_by[-1]  # completed the course, so signed the record
    (other,) = set(deployment.servers) - {signer}

    records = learner.request("GET", "/api/v1/me/credentials", server=other).json()
    assert [record["status"] for record in records] == ["active"], records
    signed = learner.request("GET", urlsplit(records[0]["url"]).path, server=other)
    assert signed.status_code == 200 and "proof" in signed.json()
    verified = learner.request(
        "POST",
        "/api/v1/credentials/verify",
        server=other,
        json={"verifiableCredential": signed.json()},
    )
    assert verified.status_code == 200
    assert verified.json()["verified"] is True, verified.json()


def test_a_lecture_published_on_one_server_is_read_new_on_both(deployment: Deployment) -> None:
    """What a server may cache of a course is keyed by what the database says changed: a title
    published through one server is what both show next."""
    visitor = deployment.browser()
    course, slug = "/courses/xac-suat-thong-ke", "xac-suat-co-dien"
    for _ in deployment.servers:  # each server reads (and may cache) the lecture and the course
        assert "Xác suất cổ điển" in visitor.get(f"{course}/lectures/{slug}").text
        assert "Xác suất cổ điển" in visitor.get(course).text

    teacher = deployment.browser()
    logged_in = teacher.post("/login", {"login": "teacher@demo.test", "password": DEMO_PASSWORD})
    assert logged_in.status_code == 303, logged_in.text[:500]
    editor = f"/author{course}/lectures/{slug}/edit"
    fields = _form_fields(teacher.get(editor).text, "source")
    fields.update(title="Xác suất cổ điển (đã sửa)", publish="1")
    published = teacher.post(editor, fields)
    assert published.status_code == 303, published.text[:500]

    for _ in deployment.servers:
        assert "Xác suất cổ điển (đã sửa)" in visitor.get(f"{course}/lectures/{slug}").text
        assert "Xác suất cổ điển (đã sửa)" in visitor.get(course).text


class _Forms(HTMLParser):
    """The named fields of each form of a page: inputs, checked boxes and text areas."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.current: dict[str, Any] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "form":
            self.current = {}
            self.forms.append(self.current)
        elif tag == "textarea" and named.get("name"):
            self._textarea = named["name"]
            self.current[self._textarea] = ""
        elif tag == "input" and named.get("name") and _sent(named):
            self.current[str(named["name"])] = named.get("value") or "y"

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.current[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None


def _sent(named: dict[str, str | None]) -> bool:
    """Whether a browser sends this input without a click: not a button, no unticked box."""
    kind = named.get("type")
    return kind != "submit" and (kind != "checkbox" or "checked" in named)


def _form_fields(page: str, field: str) -> dict[str, Any]:
    """The fields of the page's form that has `field`, as a browser would send them."""
    parser = _Forms()
    parser.feed(page)
    (form,) = [form for form in parser.forms if field in form]
    form.pop("csrf_token", None)  # the browser's post() sends a fresh one
    return form
