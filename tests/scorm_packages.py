"""SCORM packages the tests write themselves: SCORM 1.2 and 2004 manifests with small SCOs that
talk to the runtime like authoring tools' do (find the API in a parent window, initialise, keep
a place and suspend data, report an interaction, a score and a status, commit, finish)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from html import escape

NS = {
    "1.2": (
        "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
        "http://www.adlnet.org/xsd/adlcp_rootv1p2",
        "scormtype",
        "1.2",
    ),
    "2004": (
        "http://www.imsglobal.org/xsd/imscp_v1p1",
        "http://www.adlnet.org/xsd/adlcp_v1p3",
        "scormType",
        "2004 4th Edition",
    ),
}

# What each SCORM edition calls the same things.
_CALLS = {
    "1.2": {
        "api": "API",
        "init": "LMSInitialize",
        "get": "LMSGetValue",
        "set": "LMSSetValue",
        "commit": "LMSCommit",
        "finish": "LMSFinish",
        "location": "cmi.core.lesson_location",
        "entry": "cmi.core.entry",
        "response": "student_response",
        "score": [
            ("cmi.core.score.raw", "80"),
            ("cmi.core.score.min", "0"),
            ("cmi.core.score.max", "100"),
        ],
        "status": [("cmi.core.lesson_status", "passed")],
        "exit": ("cmi.core.exit", "suspend"),
    },
    "2004": {
        "api": "API_1484_11",
        "init": "Initialize",
        "get": "GetValue",
        "set": "SetValue",
        "commit": "Commit",
        "finish": "Terminate",
        "location": "cmi.location",
        "entry": "cmi.entry",
        "response": "learner_response",
        "score": [
            ("cmi.score.scaled", "0.9"),
            ("cmi.score.raw", "90"),
            ("cmi.score.min", "0"),
            ("cmi.score.max", "100"),
        ],
        "status": [("cmi.completion_status", "completed"), ("cmi.success_status", "passed")],
        "exit": ("cmi.exit", "suspend"),
    },
}


def sco_page(version: str, title: str, *, extra_script: str = "", nav: str = "") -> str:
    """A SCO: shows its page number (resumed from the location), "Next page" saves the place and
    suspend data, "Finish" reports an interaction, the score and the status, and finishes (a 2004
    SCO given `nav` leaves that navigation request first). A 2004 SCO shows what
    `adl.nav.request_valid.continue/previous` answered."""
    c = _CALLS[version]
    request = f'api.SetValue("adl.nav.request", "{nav}");' if nav and version == "2004" else ""
    valid = (
        'state.setAttribute("data-continue", api.GetValue("adl.nav.request_valid.continue"));'
        'state.setAttribute("data-previous", api.GetValue("adl.nav.request_valid.previous"));'
        if version == "2004"
        else ""
    )
    sets = "".join(f'api.{c["set"]}("{k}", "{v}");' for k, v in [*c["score"], *c["status"]])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body>
<h1>{escape(title)}</h1>
<p id="state">starting</p>
<button id="next" type="button">Next page</button>
<button id="finish" type="button">Finish</button>
<script>
(function () {{
  function find(w) {{
    for (var i = 0; i < 10 && w; i++) {{
      try {{ if (w.{c["api"]}) return w.{c["api"]}; }} catch (e) {{}}
      if (w.parent === w) break;
      w = w.parent;
    }}
    return null;
  }}
  var api = find(window);
  var state = document.getElementById("state");
  if (!api) {{ state.textContent = "no API"; return; }}
  api.{c["init"]}("");
  var page = parseInt(api.{c["get"]}("{c["location"]}") || "1", 10);
  var entry = api.{c["get"]}("{c["entry"]}");
  var data = api.{c["get"]}("cmi.suspend_data");
  state.textContent = "page " + page + " entry=" + entry + " data=" + data;
  {valid}
  document.getElementById("next").onclick = function () {{
    page += 1;
    api.{c["set"]}("{c["location"]}", String(page));
    api.{c["set"]}("cmi.suspend_data", "visited:" + page);
    api.{c["set"]}("{c["exit"][0]}", "{c["exit"][1]}");
    api.{c["commit"]}("");
    state.textContent = "page " + page + " saved";
  }};
  document.getElementById("finish").onclick = function () {{
    api.{c["set"]}("cmi.interactions.0.id", "q1");
    api.{c["set"]}("cmi.interactions.0.type", "choice");
    api.{c["set"]}("cmi.interactions.0.{c["response"]}", "b");
    api.{c["set"]}("cmi.interactions.0.result", "correct");
    {sets}
    api.{c["commit"]}("");
    {request}
    api.{c["finish"]}("");
    state.textContent = "finished";
  }};
  {extra_script}
}})();
</script>
</body></html>
"""


def manifest(
    version: str,
    title: str,
    scos: Sequence[tuple[str, str, str]],
    *,
    doctype: str = "",
    control: str = "",
    item_sequencing: Mapping[str, str] | None = None,
) -> str:
    """imsmanifest.xml listing `scos` as (identifier, title, href); a 2004 manifest may give
    its organization an `imsss:controlMode` (`control`: its attributes) and items their own
    `imsss:sequencing` content."""
    cp, adl, attr, schemaversion = NS[version]
    extra = item_sequencing or {}
    items = "".join(
        f'<item identifier="{i}" identifierref="res-{i}"><title>{escape(t)}</title>'
        + (f"<imsss:sequencing>{extra[i]}</imsss:sequencing>" if i in extra else "")
        + "</item>"
        for i, t, _ in scos
    )
    if control:
        items += f"<imsss:sequencing><imsss:controlMode {control}/></imsss:sequencing>"
    resources = "".join(
        f'<resource identifier="res-{i}" type="webcontent" adlcp:{attr}="sco" href="{h}">'
        f'<file href="{h}"/></resource>'
        for i, _, h in scos
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>{doctype}
<manifest identifier="pkg" version="1" xmlns="{cp}" xmlns:adlcp="{adl}"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>{schemaversion}</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>{escape(title)}</title>
    {items}
  </organization></organizations>
  <resources>{resources}</resources>
</manifest>
"""


def build_zip(files: Mapping[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def build_package(
    version: str = "1.2",
    title: str = "A test lesson",
    scos: Sequence[tuple[str, str]] = (("part-1", "Part one"),),
    *,
    extra: Mapping[str, bytes | str] | None = None,
    sco_script: str = "",
    navs: Mapping[str, str] | None = None,
    control: str = "",
    item_sequencing: Mapping[str, str] | None = None,
) -> bytes:
    """A package of `scos` (identifier, title), each `<identifier>/index.html`; `navs` gives a
    2004 SCO the `adl.nav.request` it leaves when it finishes."""
    listed = [(i, t, f"{i}/index.html") for i, t in scos]
    files: dict[str, bytes | str] = {
        "imsmanifest.xml": manifest(
            version, title, listed, control=control, item_sequencing=item_sequencing
        )
    }
    for identifier, sco_title, href in listed:
        files[href] = sco_page(
            version, sco_title, extra_script=sco_script, nav=(navs or {}).get(identifier, "")
        )
        files[f"{identifier}/style.css"] = "body { font-family: sans-serif; }\n"
    files.update(extra or {})
    return build_zip(files)
