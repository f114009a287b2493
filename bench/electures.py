"""E-lectures on slow connections: the renditions of a generated 60 s clip (a moving test pattern
with a tone), their sizes, and transcode time per minute of video, on this machine; and the SCORM
launch on a 2G line: the bytes a pupil's browser fetches from opening the seed SCORM lecture until
its SCO calls `LMSInitialize`, and how long that takes.

    .venv/bin/python bench/electures.py [--seconds 60] [--size 1280x720] [--kbits 1500]
    .venv/bin/python bench/electures.py --clip tests/data/media/lesson.mp4 --seconds 2 --size 320x240
    .venv/bin/python bench/electures.py --scorm

With `--clip PATH` it only writes the clip (how the tests' `lesson.mp4` was made); with `--scorm`
it only measures the SCORM launch (headless Chromium, the platform on 127.0.0.1 and the content
origin on localhost, the 2G profile below applied by the DevTools protocol to every frame).
"""

from __future__ import annotations

import argparse
import math
import struct
import tempfile
import threading
import time
from pathlib import Path

import av
from _setup import PASSWORD, build
from flask import Flask
from PIL import Image, ImageDraw
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from mooc.authoring.transcoding import probe, transcode
from mooc.catalog.core.renditions import MB, needed
from mooc.contentorigin.app import create_content_app

# Chrome DevTools' "Regular 2G": 250 kbit/s down, 50 kbit/s up, 300 ms round trips.
PROFILE_2G = {"latency": 300, "down_kbit": 250, "up_kbit": 50}
SCORM_LECTURE = "/courses/vat-ly-lop-10/lectures/on-tap-chuyen-dong-thang-deu"

FPS = 25
TONE_RATE = 24_000


def _picture(index: int, width: int, height: int) -> Image.Image:
    """A frame: colour bars, a square crossing the screen, a clock bar, changing texture."""
    image = Image.new("RGB", (width, height), (240, 240, 235))
    draw = ImageDraw.Draw(image)
    bars = [(200, 40, 40), (40, 160, 60), (40, 90, 180), (220, 180, 40), (120, 40, 150)]
    for n, colour in enumerate(bars):
        draw.rectangle((n * width // 5, 0, (n + 1) * width // 5, height // 4), fill=colour)
    side = height // 6
    x = (index * 4) % (width + side) - side
    draw.rectangle(
        (x, height // 2 - side // 2, x + side, height // 2 + side // 2), fill=(20, 20, 20)
    )
    for k in range(24):  # texture that changes every frame, as a filmed board does
        cx = (k * 97 + index * 13) % width
        cy = height // 4 + (k * 53 + index * 7) % (height * 3 // 4)
        draw.ellipse((cx, cy, cx + 6, cy + 6), fill=((k * 40) % 255, 90, (index * 5) % 255))
    draw.rectangle(
        (0, height - 8, width * (index % (FPS * 10)) // (FPS * 10), height), fill=(0, 0, 0)
    )
    return image


def make_clip(
    path: Path, seconds: int, width: int, height: int, bitrate: int | None = None
) -> None:
    """An H.264 + AAC clip of `seconds` at `width`×`height`, sound a slow-changing tone; at
    `bitrate` (bit/s, what a phone or a lecture recorder writes) or else at constant quality."""
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        quality = {"preset": "veryfast"} if bitrate else {"preset": "veryfast", "crf": "20"}
        video = out.add_stream("libx264", rate=FPS, options=quality)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        if bitrate:
            video.bit_rate = bitrate
        audio = out.add_stream("aac", rate=TONE_RATE, layout="mono")
        audio.bit_rate = 96_000
        samples_per_frame = TONE_RATE // FPS
        for index in range(seconds * FPS):
            frame = av.VideoFrame.from_image(_picture(index, width, height))
            frame.pts = index
            out.mux(video.encode(frame))
            pitch = 330 + 110 * ((index // FPS) % 4)
            start = index * samples_per_frame
            pcm = b"".join(
                struct.pack(
                    "<h", int(8000 * math.sin(2 * math.pi * pitch * (start + i) / TONE_RATE))
                )
                for i in range(samples_per_frame)
            )
            sound = av.AudioFrame(format="s16", layout="mono", samples=samples_per_frame)
            sound.planes[0].update(pcm)
            sound.sample_rate, sound.pts = TONE_RATE, start
            out.mux(audio.encode(sound))
        out.mux(video.encode(None))
        out.mux(audio.encode(None))


def _scorm_servers(folder: Path):  # type: ignore[no-untyped-def]
    """The platform (seed content, one enrolled pupil) and the content origin, served."""
    placeholder = Flask("placeholder")
    servers = [make_server("127.0.0.1", 0, placeholder, threaded=True) for _ in range(2)]
    platform = f"http://127.0.0.1:{servers[0].server_port}"
    content = f"http://localhost:{servers[1].server_port}"
    app = build(
        folder,
        f"sqlite:///{folder / 'bench.sqlite3'}",
        students=1,
        base_url=platform,
        content_origin=content,
    )
    settings = app.config["MOOC_SETTINGS"]
    servers[0].app = app
    servers[1].app = create_content_app(settings, app.extensions["mooc_storage"])
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return platform, servers


def scorm_launch(runs: int = 3) -> None:
    """Print the launch's bytes (compressed, as sent) by origin and the time to Initialize."""
    with tempfile.TemporaryDirectory() as folder:
        platform, servers = _scorm_servers(Path(folder))
        args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-features=IsolateOrigins,site-per-process",
            "--disable-site-isolation-trials",
        ]  # one target: all throttled
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=args)
            print(
                f"SCORM launch of {SCORM_LECTURE} on 2G "
                f"({PROFILE_2G['down_kbit']} kbit/s down, {PROFILE_2G['latency']} ms RTT)"
            )
            print(
                f"{'run':<5}{'platform KB':>12}{'content KB':>12}{'requests':>10}{'to Initialize s':>17}"
            )
            for run in range(1, runs + 1):
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{platform}/login")
                page.fill("input[name=login]", "bench0@example.test")
                page.fill("input[name=password]", PASSWORD)
                page.click("main button[type=submit]")
                page.wait_for_load_state()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                cdp.send(
                    "Network.emulateNetworkConditions",
                    {
                        "offline": False,
                        "latency": PROFILE_2G["latency"],
                        "downloadThroughput": PROFILE_2G["down_kbit"] * 1000 / 8,
                        "uploadThroughput": PROFILE_2G["up_kbit"] * 1000 / 8,
                    },
                )
                sizes: dict[str, int] = {}
                cdp.on(
                    "Network.loadingFinished",
                    lambda event, sizes=sizes: sizes.__setitem__(
                        event["requestId"], event["encodedDataLength"]
                    ),
                )
                hosts: dict[str, str] = {}
                cdp.on(
                    "Network.requestWillBeSent",
                    lambda event, hosts=hosts: hosts.__setitem__(
                        event["requestId"], event["request"]["url"]
                    ),
                )
                started = time.perf_counter()
                page.goto(f"{platform}{SCORM_LECTURE}")
                page.wait_for_selector("#scorm-player[data-state=running]", timeout=120_000)
                took = time.perf_counter() - started
                page.wait_for_timeout(200)
                by_origin = {"platform": 0, "content": 0}
                for request_id, length in sizes.items():
                    url = hosts.get(request_id, "")
                    by_origin["content" if "localhost" in url else "platform"] += length
                print(
                    f"{run:<5}{by_origin['platform'] / 1024:>12.1f}{by_origin['content'] / 1024:>12.1f}"
                    f"{len(sizes):>10}{took:>17.2f}"
                )
                context.close()
            browser.close()
        for server in servers:
            server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--kbits", type=int, default=1500, help="the source's video bit rate")
    parser.add_argument("--clip", type=Path, help="only write the clip to this path")
    parser.add_argument("--scorm", action="store_true", help="only measure the SCORM launch")
    args = parser.parse_args()
    if args.scorm:
        scorm_launch()
        return
    width, height = (int(side) for side in args.size.split("x"))
    if args.clip:
        make_clip(args.clip, args.seconds, width, height)
        print(f"{args.clip}: {args.clip.stat().st_size} bytes")
        return
    with tempfile.TemporaryDirectory() as folder:
        clip = Path(folder) / "clip.mp4"
        made_at = time.perf_counter()
        make_clip(clip, args.seconds, width, height, bitrate=args.kbits * 1000)
        print(
            f"source: {width}x{height}, {args.seconds} s, {clip.stat().st_size / MB:.2f} MB "
            f"(generated in {time.perf_counter() - made_at:.1f} s)"
        )
        source, duration = probe(clip)
        minutes = duration / 60
        print(f"{'rendition':<10}{'frame':>10}{'kbit/s':>8}{'MB':>8}{'s':>7}{'s/min':>7}")
        total = 0.0
        for spec in needed(source):
            target = Path(folder) / f"{spec.label}.{spec.extension}"
            started = time.perf_counter()
            made = transcode(clip, target, spec)
            took = time.perf_counter() - started
            total += took
            frame = f"{made.width}x{made.height}" if made.width else "-"
            print(
                f"{spec.label:<10}{frame:>10}{(made.bitrate or 0) / 1000:>8.0f}"
                f"{made.size / MB:>8.2f}{took:>7.1f}{took / minutes:>7.1f}"
            )
        print(f"all renditions: {total:.1f} s, {total / minutes:.1f} s per minute of video")


if __name__ == "__main__":
    main()
