"""Make the seed SCORM package of `content/vat-ly-lop-10`: a short SCORM 1.2 lesson on uniform
motion, with one question whose answer is reported to the platform.

    .venv/bin/python scripts/seed_scorm.py content/vat-ly-lop-10/scorm

Writes `on-tap-chuyen-dong-thang-deu.zip` (a few kilobytes): `imsmanifest.xml` and one SCO,
plain HTML and JavaScript made by the project (no authoring tool, no one else's licence). The
SCO finds the SCORM 1.2 API in a parent window, resumes on the page where the learner left
(`cmi.core.lesson_location`, `cmi.suspend_data`), records the answer as an interaction, sets the
score and `passed`/`failed`, and finishes. The zip's bytes are the same at every run.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

NAME = "on-tap-chuyen-dong-thang-deu"
TITLE = "Ôn tập: chuyển động thẳng đều"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)

MANIFEST = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{NAME}" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>{TITLE}</title>
      <item identifier="on-tap" identifierref="sco"><title>{TITLE}</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/><file href="bai.css"/><file href="bai.js"/>
    </resource>
  </resources>
</manifest>
"""

PAGE = """<!doctype html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Ôn tập: chuyển động thẳng đều</title>
  <link rel="stylesheet" href="bai.css">
</head>
<body>
  <section id="trang-1">
    <h1>Chuyển động thẳng đều</h1>
    <p>Một vật chuyển động thẳng đều khi nó đi được những quãng đường bằng nhau trong những
    khoảng thời gian bằng nhau bất kì. Khi đó tốc độ không đổi:</p>
    <p class="cong-thuc">v = s / t</p>
    <p>Ví dụ: người đi xe đạp đi được 15 km trong 1 giờ thì tốc độ là 15 km/h.</p>
    <button type="button" id="tiep">Làm câu hỏi →</button>
  </section>
  <section id="trang-2" hidden>
    <h1>Câu hỏi</h1>
    <p>Một ô tô đi được 120 km trong 2 giờ. Tốc độ trung bình của ô tô là bao nhiêu?</p>
    <form id="cau-hoi">
      <label><input type="radio" name="dap-an" value="40"> 40 km/h</label>
      <label><input type="radio" name="dap-an" value="60"> 60 km/h</label>
      <label><input type="radio" name="dap-an" value="240"> 240 km/h</label>
      <button type="submit">Trả lời</button>
    </form>
    <p id="ket-qua" role="status"></p>
  </section>
  <script src="bai.js"></script>
</body>
</html>
"""

STYLE = """body {
  font-family: system-ui, sans-serif; margin: 1rem; line-height: 1.5; color: #1b1b1b;
}
.cong-thuc { font-size: 1.4rem; font-weight: bold; }
label { display: block; margin: .4rem 0; }
button { font: inherit; padding: .4rem .9rem; }
"""

SCRIPT = """(function () {
  "use strict";
  function timApi(w) {
    for (var i = 0; i < 10 && w; i++) {
      try { if (w.API) return w.API; } catch (e) {}
      if (w.parent === w) break;
      w = w.parent;
    }
    return null;
  }
  var api = timApi(window);
  if (api) api.LMSInitialize("");
  function dat(k, v) { if (api) api.LMSSetValue(k, v); }
  function moTrang(so) {
    document.getElementById("trang-1").hidden = so !== 1;
    document.getElementById("trang-2").hidden = so !== 2;
    dat("cmi.core.lesson_location", String(so));
  }
  var dangO = api ? api.LMSGetValue("cmi.core.lesson_location") : "";
  moTrang(dangO === "2" ? 2 : 1);
  document.getElementById("tiep").addEventListener("click", function () {
    moTrang(2);
    dat("cmi.suspend_data", "da-doc-ly-thuyet");
    dat("cmi.core.exit", "suspend");
    if (api) api.LMSCommit("");
  });
  document.getElementById("cau-hoi").addEventListener("submit", function (event) {
    event.preventDefault();
    var chon = document.querySelector("input[name=dap-an]:checked");
    if (!chon) return;
    var dung = chon.value === "60";
    dat("cmi.interactions.0.id", "toc-do-o-to");
    dat("cmi.interactions.0.type", "choice");
    dat("cmi.interactions.0.student_response", chon.value);
    dat("cmi.interactions.0.result", dung ? "correct" : "wrong");
    dat("cmi.core.score.raw", dung ? "100" : "0");
    dat("cmi.core.score.min", "0");
    dat("cmi.core.score.max", "100");
    dat("cmi.core.lesson_status", dung ? "passed" : "failed");
    dat("cmi.core.exit", "");
    if (api) { api.LMSCommit(""); api.LMSFinish(""); }
    document.getElementById("ket-qua").textContent = dung
      ? "Đúng: v = 120 km : 2 h = 60 km/h."
      : "Chưa đúng. Gợi ý: v = s / t = 120 km : 2 h.";
  });
})();
"""

FILES = {
    "imsmanifest.xml": MANIFEST,
    "index.html": PAGE,
    "bai.css": STYLE,
    "bai.js": SCRIPT,
}


def write(folder: Path) -> Path:
    """Write the package into `folder`; the same bytes every time."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{NAME}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in FILES.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "content/vat-ly-lop-10/scorm")
    print(write(target))
