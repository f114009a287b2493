"""Make the seed video of `content/vat-ly-lop-10`: a ball moving at constant speed along a ruler.

    python -m venv /tmp/av && /tmp/av/bin/pip install av numpy pillow
    /tmp/av/bin/python scripts/seed_clip.py content/vat-ly-lop-10/media

Writes `chuyen-dong-thang-deu.mp4` (H.264 baseline, 320×180, 12 frames a second, 8 s, no sound:
tens of kilobytes, plays on any phone) and its poster frame `chuyen-dong-thang-deu.jpg`. The
project made it from nothing but this code, so it carries no one else's licence. PyAV is not a
dependency of the platform: only this script needs it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import av
import numpy as np
from PIL import Image

WIDTH, HEIGHT, FPS, SECONDS = 320, 180, 12, 8
SPEED = 32  # pixels a second: one ruler step (1 m) a second
LEFT = 24


def frame(seconds: float) -> np.ndarray:
    image = np.full((HEIGHT, WIDTH, 3), 250, dtype=np.uint8)
    ground = 120
    image[ground : ground + 2, :] = 60
    for step in range(10):  # the ruler: a tick each metre, a longer one each 5 m
        x = LEFT + step * SPEED
        tall = 12 if step % 5 == 0 else 6
        image[ground + 2 : ground + 2 + tall, x : x + 2] = 60
    x = LEFT + round(SPEED * seconds)
    image[ground - 20 : ground - 2, x - 9 : x + 9] = (200, 40, 40)  # the moving body
    # a clock bar: how much of the 8 s has passed
    image[150:156, LEFT : LEFT + round((WIDTH - 2 * LEFT) * seconds / SECONDS)] = (40, 90, 180)
    return image


def main(folder: Path) -> None:
    clip = folder / "chuyen-dong-thang-deu.mp4"
    with av.open(str(clip), "w", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.options = {"profile": "baseline", "preset": "veryslow", "crf": "30"}
        for index in range(FPS * SECONDS):
            picture = av.VideoFrame.from_ndarray(frame(index / FPS), format="rgb24")
            for packet in stream.encode(picture):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    Image.fromarray(frame(0)).save(folder / "chuyen-dong-thang-deu.jpg", quality=80)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
