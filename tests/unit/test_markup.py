"""Lecture Markdown to safe HTML: sanitizing, links, tables, code, server-side MathML, media."""

from __future__ import annotations

import re

import pytest

from mooc.markup import MediaRef, RegionLabels, default_captions, render_inline, render_markdown


def html_of(source: str) -> str:
    return render_markdown(source).html


# --- sanitizing ---------------------------------------------------------------------------


def test_script_tags_are_removed() -> None:
    out = html_of('Trước <script>alert("x")</script> sau\n\n<svg><script>1</script></svg>')
    assert "<script" not in out.lower()
    assert "<svg" not in out.lower()
    assert "Trước" in out and "sau" in out


@pytest.mark.parametrize(
    "source",
    [
        '<p onclick="steal()">bấm</p>',
        '<img src="/x.png" onerror="steal()" alt="x">',
        '<div onmouseover="steal()" class="note">rê chuột</div>',
        '<a href="/ok" onfocus="steal()">link</a>',
    ],
)
def test_event_handlers_are_removed(source: str) -> None:
    out = html_of(source)
    assert not re.search(r"\son\w+=", out)
    assert "steal" not in out


def test_style_attributes_are_removed() -> None:
    out = html_of('<span style="background:url(javascript:x)">tô màu</span>')
    assert "style" not in out
    assert "javascript" not in out
    assert "tô màu" in out


@pytest.mark.parametrize(
    "source",
    [
        "[bấm](javascript:alert(1))",
        "[bấm](JaVaScRiPt:alert(1))",
        '<a href="javascript:alert(1)">bấm</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">bấm</a>',
        "![ảnh](javascript:alert(1))",
        '<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="ảnh">',
    ],
)
def test_javascript_and_data_urls_are_removed(source: str) -> None:
    out = html_of(source)
    assert "javascript:" not in out.lower()
    assert "data:" not in out
    assert "href=" not in out and "src=" not in out


def test_iframes_and_forms_are_dropped() -> None:
    out = html_of('<iframe src="https://evil.example"></iframe><form><input name="p"></form>')
    assert "<iframe" not in out and "<form" not in out and "<input" not in out


def test_mathml_keeps_only_presentation_attributes() -> None:
    out = html_of('<math><mi onclick="x()" href="javascript:1">x</mi></math>')
    assert out == "<math><mi>x</mi></math>"


# --- links --------------------------------------------------------------------------------


def test_external_links_get_nofollow_noopener() -> None:
    out = html_of(
        "[Bộ GD&ĐT](https://moet.gov.vn) [http](http://example.org) [cdn](//cdn.example/a)"
    )
    assert out.count('rel="nofollow noopener"') == 3


def test_internal_links_are_left_alone() -> None:
    out = html_of("[khóa học](/courses/toan-lop-6) [bài sau](phan-so) [mục](#h-tap-hop)")
    assert 'href="/courses/toan-lop-6"' in out
    assert 'href="phan-so"' in out
    assert "rel=" not in out


def test_bare_urls_become_external_links() -> None:
    out = html_of("Xem https://example.org/bai-tap nhé")
    assert '<a href="https://example.org/bai-tap" rel="nofollow noopener">' in out


def test_mailto_links_stay() -> None:
    assert 'href="mailto:co-giao@example.test"' in html_of("[thư](mailto:co-giao@example.test)")


# --- Markdown features --------------------------------------------------------------------


def test_tables_render() -> None:
    out = html_of("| Ký hiệu | Đọc là |\n|---|---|\n| $\\in$ | thuộc |\n")
    assert "<table>" in out
    assert "<th>Ký hiệu</th>" in out
    assert "<td>thuộc</td>" in out


def test_a_table_scrolls_in_its_own_named_focusable_box() -> None:
    labels = RegionLabels(table="Bảng, cuộn ngang", formula="Công thức, cuộn ngang")
    out = render_markdown("| a | b |\n|---|---|\n| 1 000 000 | 2 |\n", labels=labels).html
    assert out.startswith(
        '<div class="scroll-x scroll-table" role="region" tabindex="0" '
        'aria-label="Bảng, cuộn ngang"><table>'
    )
    assert out.rstrip().endswith("</table></div>")


def test_a_display_formula_scrolls_in_its_own_box_but_inline_math_does_not() -> None:
    labels = RegionLabels(table="Table", formula="Công thức, cuộn ngang")
    block = render_markdown("$$\nx^2 + y^2 = z^2\n$$\n", labels=labels).html
    assert 'aria-label="Công thức, cuộn ngang"><math' in block
    assert block.rstrip().endswith("</math></div>")
    inline = render_markdown("Ta có $x^2$ ở đây.", labels=labels).html
    assert "scroll-x" not in inline
    assert "tabindex" not in inline


def test_a_table_written_in_html_is_boxed_once_even_when_nested() -> None:
    out = html_of("<table><tr><td><table><tr><td>1</td></tr></table></td></tr></table>")
    assert out.count('class="scroll-x scroll-table"') == 1
    assert out.count("<div") == out.count("</div>") == 1


def test_authors_cannot_write_region_or_tabindex_attributes() -> None:
    out = html_of('<div role="button" tabindex="5" aria-label="x" class="note">chữ</div>')
    assert "tabindex" not in out
    assert "role=" not in out
    assert "aria-label" not in out


def test_grouped_numbers_never_break_inside_but_code_keeps_its_spaces() -> None:
    out = html_of("Dân số 96 208 984 người, năm 2019.\n\n`x = 1 000`\n")
    assert "96\u202f208\u202f984 người" in out
    assert "năm 2019" in out
    assert "<code>x = 1 000</code>" in out


def test_footnotes_render_with_links_both_ways() -> None:
    out = html_of("Số 0 là số tự nhiên[^1].\n\n[^1]: Theo chương trình 2018.\n")
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>' in out
    assert '<li id="fn:1">' in out
    assert "Theo chương trình 2018." in out
    assert 'href="#fnref:1"' in out


def test_fenced_code_is_highlighted_with_classes() -> None:
    out = html_of('```python\ndef f(x):\n    return "ok"\n```\n')
    assert '<div class="highlight">' in out
    assert '<span class="k">def</span>' in out
    assert '<span class="nf">f</span>' in out
    assert "style=" not in out  # colours come from the stylesheet, not inline styles


def test_dollars_inside_code_stay_literal() -> None:
    out = html_of('Gõ `$x$` để viết công thức.\n\n```\nprice = "$a^2$"\n```\n')
    assert "<code>$x$</code>" in out
    assert "$a^2$" in out
    assert "<math" not in out


def test_dollar_amounts_in_prose_are_not_math() -> None:
    out = html_of("Giá $5 và $10.")
    assert "<math" not in out
    assert "$5" in out


# --- math ---------------------------------------------------------------------------------


def test_inline_math_becomes_mathml() -> None:
    out = html_of("Diện tích $a^2$ của hình vuông.")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in out
    assert "<msup><mi>a</mi><mn>2</mn></msup>" in out
    assert "$" not in out


def test_display_math_becomes_a_mathml_block_without_javascript() -> None:
    out = html_of("$$\n\\frac{3}{4} + \\frac{1}{4} = 1\n$$\n")
    assert out.startswith('<div class="scroll-x scroll-formula" role="region" tabindex="0"')
    assert 'display="block"' in out
    assert "<mfrac>" in out
    assert "<script" not in out
    assert "arithmatex" not in out  # no client-side renderer is needed


def test_math_comparison_signs_are_escaped() -> None:
    out = html_of("$a < b$")
    assert "<mo>&#x0003C;</mo>" in out
    assert "<b" not in out


def test_html_smuggled_into_math_is_not_rendered() -> None:
    out = html_of("$\\text{<script>alert(1)</script>}$ và $x_{<img src=x onerror=alert(1)>}$")
    assert "<script" not in out
    assert "<img" not in out
    assert "onerror=" not in out


def test_latex_error_shows_the_source_instead_of_failing() -> None:
    out = html_of("Sai: $\\frac{1}{$ rồi.")
    assert '<code class="math-error">\\frac{1}{</code>' in out
    assert "Sai:" in out and "rồi." in out
    block = html_of("$$\n\\frac{1}{\n$$\n")
    assert '<code class="math-error">\\frac{1}{</code>' in block


def test_latex_error_source_is_escaped() -> None:
    out = html_of("$\\frac{<b>}{$")
    assert "<b>" not in out
    assert 'class="math-error"' in out


# --- images -------------------------------------------------------------------------------


def test_images_load_lazily() -> None:
    out = html_of("![Tia số](https://cdn.example/tia-so.svg)")
    assert 'loading="lazy"' in out
    assert 'src="https://cdn.example/tia-so.svg"' in out


def test_media_images_use_the_resolved_url_and_size() -> None:
    asked: list[str] = []

    def resolve(name: str) -> MediaRef | None:
        asked.append(name)
        return MediaRef("/media/3f2a/tia-so.svg", width=640, height=120)

    rendered = render_markdown("![Tia số từ 0 đến 10](media/tia-so.svg)", media=resolve)
    assert asked == ["tia-so.svg"]
    assert rendered.media == ("tia-so.svg",)
    img = re.search(r"<img [^>]*>", rendered.html)
    assert img
    tag = img.group(0)
    assert 'src="/media/3f2a/tia-so.svg"' in tag
    assert 'width="640"' in tag and 'height="120"' in tag
    assert 'loading="lazy"' in tag
    assert 'alt="Tia số từ 0 đến 10"' in tag


def test_media_without_a_known_size_has_no_dimensions() -> None:
    rendered = render_markdown("![a](media/a.png)", media=lambda name: MediaRef(f"/media/x/{name}"))
    assert 'src="/media/x/a.png"' in rendered.html
    assert "width=" not in rendered.html


def test_unresolved_media_is_still_listed() -> None:
    rendered = render_markdown("![a](media/missing.png)", media=lambda name: None)
    assert rendered.media == ("missing.png",)
    assert 'src="media/missing.png"' in rendered.html


# --- headings -----------------------------------------------------------------------------


def test_heading_anchors_are_prefixed_and_listed_in_the_outline() -> None:
    rendered = render_markdown(
        "## Tập hợp là gì?\n\ntext\n\n### Ví dụ 1\n\n## Tóm tắt\n\n#### Too deep\n"
    )
    assert '<h2 id="h-tap-hop-la-gi">Tập hợp là gì?</h2>' in rendered.html
    assert '<h3 id="h-vi-du-1">Ví dụ 1</h3>' in rendered.html
    assert [(h.level, h.anchor, h.text) for h in rendered.outline] == [
        (2, "h-tap-hop-la-gi", "Tập hợp là gì?"),
        (3, "h-vi-du-1", "Ví dụ 1"),
        (2, "h-tom-tat", "Tóm tắt"),
    ]


def test_repeated_headings_get_distinct_anchors() -> None:
    rendered = render_markdown("## Ví dụ\n\n## Ví dụ\n")
    anchors = [h.anchor for h in rendered.outline]
    assert len(set(anchors)) == 2
    assert all(a.startswith("h-") for a in anchors)
    for anchor in anchors:
        assert f'id="{anchor}"' in rendered.html


def test_render_inline_drops_the_paragraph() -> None:
    assert render_inline("**đúng**") == "<strong>đúng</strong>"
    assert render_inline("$0 \\in \\mathbb{N}$").startswith("<math")


def test_heading_of_symbols_gets_a_working_anchor() -> None:
    rendered = render_markdown("## ∑\n")
    anchor = rendered.outline[0].anchor
    assert anchor.startswith("h-")
    assert len(anchor) > 2
    assert f'id="{anchor}"' in rendered.html


def test_a_long_inline_chain_may_wrap_after_its_relations() -> None:
    out = html_of(r"Vậy $P(5 < X < 8) = \Phi(1) - \Phi(-1) = 2\Phi(1) - 1 = 0{,}6826$ là xác suất.")
    formulas = re.findall(r"<math\b.*?</math>", out, re.DOTALL)
    assert len(formulas) == 4  # cut after each "=", never inside P(5 < X < 8)
    assert "</math>\u200b<math" in out  # the line may break there, and nowhere else
    assert formulas[0].count("<mo>&#x0003C;</mo>") == 2  # P(5 < X < 8) stays whole
    assert formulas[0].endswith("<mo>&#x0003D;</mo></mrow></math>")


@pytest.mark.parametrize(
    "tex",
    [
        r"x = \mu",  # short: always fits
        r"\frac{a + b + c + d + e + f + g}{h = i + j + k + l + m + n}",  # relation inside a group
        r"\left( a + b + c + d + e + f = g + h + i + j + k + l \right)",
        r"a + b + c + d + e + f + g + h + i + j + k + l + m + n + o + p",  # no relation
    ],
)
def test_an_inline_formula_stays_whole_when_there_is_no_top_level_relation(tex: str) -> None:
    out = html_of(f"${tex}$")
    assert len(re.findall(r"<math\b", out)) == 1


# --- audio and video ----------------------------------------------------------------------

CLIP_FILES = {
    "clip.mp4": MediaRef("/m/clip.mp4", content_type="video/mp4"),
    "clip.jpg": MediaRef("/m/clip.jpg", 320, 180, "image/jpeg"),
    "clip.vi.vtt": MediaRef(
        "/m/clip.vi.vtt",
        content_type="text/vtt",
        transcript=((1.0, "Xin chào <script>alert(1)</script>"), (65.5, "Tạm biệt & hẹn gặp")),
    ),
    "clip.en.vtt": MediaRef("/m/clip.en.vtt", content_type="text/vtt", transcript=((1, "Hi"),)),
    "bai-hat.mp3": MediaRef("/m/bai-hat.mp3", content_type="audio/mpeg"),
}


def test_a_video_reference_is_a_player_that_loads_nothing_before_play() -> None:
    rendered = render_markdown(
        "![Chuyển động đều](media/clip.mp4)",
        media=CLIP_FILES.get,
        labels=RegionLabels(transcript="Bản ghi lời", download_video="Tải video", language="vi"),
    )
    out = rendered.html
    assert "<img" not in out
    assert out.startswith('<figure class="media media-video"><video ')
    video = re.search(r"<video [^>]*>", out)
    assert video
    tag = video.group(0)
    for attr in ("controls", 'preload="none"', 'poster="/m/clip.jpg"', 'width="320"'):
        assert attr in tag
    assert "autoplay" not in out and "muted" not in out
    assert '<source src="/m/clip.mp4" type="video/mp4">' in out
    assert (
        '<track default="" kind="captions" label="Tiếng Việt" src="/m/clip.vi.vtt" srclang="vi">'
        in out
    )
    assert '<track kind="captions" label="English" src="/m/clip.en.vtt" srclang="en">' in out
    # the fallback for browsers without a player is inside the element
    assert '<a href="/m/clip.mp4">Tải video: Chuyển động đều</a></video>' in out
    assert "<figcaption>Chuyển động đều</figcaption>" in out
    assert rendered.media == ("clip.mp4",)


def test_captions_become_an_escaped_transcript_in_the_texts_language_first() -> None:
    out = render_markdown(
        "![Chuyển động đều](media/clip.mp4)",
        media=CLIP_FILES.get,
        labels=RegionLabels(transcript="Transcript", language="en"),
    ).html
    english = out.index('<details class="transcript" lang="en">')
    vietnamese = out.index('<details class="transcript" lang="vi">')
    assert english < vietnamese
    assert "<summary>Transcript (Tiếng Việt)</summary>" in out
    assert '<p><span class="cue-time">1:05</span> Tạm biệt &amp; hẹn gặp</p>' in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "<script" not in out
    assert 'default="" kind="captions" label="English"' in out  # the text's language is on


def test_audio_in_a_sentence_plays_in_the_line_without_a_figure() -> None:
    out = render_markdown(
        "Nghe ![bài hát](media/bai-hat.mp3) rồi hát theo.", media=CLIP_FILES.get
    ).html
    assert out == (
        '<p>Nghe <audio class="player" controls preload="none" title="bài hát">'
        '<source src="/m/bai-hat.mp3" type="audio/mpeg">'
        '<a href="/m/bai-hat.mp3">Download the recording: bài hát</a></audio> rồi hát theo.</p>'
    )


def test_a_video_without_poster_or_size_has_no_dimensions_and_unknown_files_still_play() -> None:
    out = render_markdown(
        "![x](media/a.webm)\n\n![y](media/missing.ogg)", media=lambda n: None
    ).html
    assert '<video class="player" controls preload="none">' in out
    assert '<source src="media/a.webm" type="video/webm">' in out
    assert '<audio class="player" controls preload="none">' in out
    assert "width=" not in out and "poster" not in out and "<track" not in out


def test_written_players_keep_only_safe_attributes() -> None:
    out = html_of(
        '<video autoplay loop muted preload="auto" src="x.mp4" onplay="steal()" width="9e9">'
        '<source src="javascript:alert(1)" type="text/html"><track kind="metadata" src="t.vtt">'
        '<track kind="captions" srclang="vi&quot;x" src="u.vtt"></video>'
    )
    assert out == '<video><source><track src="t.vtt"><track kind="captions" src="u.vtt"></video>'
    out = html_of(
        '<video controls poster="javascript:alert(1)"><track kind="captions" src="javascript:x">'
        '<source src="data:video/mp4;base64,AAAA" type="video/mp4"></video>'
    )
    assert out == '<video controls><track kind="captions"><source type="video/mp4"></video>'


def test_the_readers_language_picks_the_default_caption_track() -> None:
    out = render_markdown(
        "![c](media/clip.mp4)", media=CLIP_FILES.get, labels=RegionLabels(language="vi")
    ).html
    english = default_captions(out, "en")
    assert english.count('default=""') == 1
    assert '<track default="" kind="captions" label="English"' in english
    assert default_captions(english, "vi") == out
    assert default_captions(out, "fr") == out  # no French track: the text's language stays


def test_a_transcript_follows_the_heading_or_stays_in_the_list_item_of_its_player() -> None:
    heading = render_markdown("## Nghe ![a](media/clip.mp4)", media=CLIP_FILES.get).html
    assert re.search(r"</video></h2>\n<details class=\"transcript\" lang=\"en\">", heading)
    item = render_markdown("- Xem ![a](media/clip.mp4) nhé\n- Hai", media=CLIP_FILES.get).html
    assert re.search(
        r"</video> nhé<details [^>]*>.*?</details><details [^>]*>.*?</details></li>", item
    )
    assert "<ul>\n<li>" in item and item.count("<li>") == 2
