"""The health check and the catalogue: browse, filter and search ignoring diacritics."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_healthz_reports_ok_when_the_database_answers(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_search_without_diacritics_finds_vietnamese_title(client: FlaskClient) -> None:
    page = client.get("/courses?q=toan+lop+6").get_data(as_text=True)
    assert "Toán lớp 6" in page
    assert "Vật lí lớp 10" not in page


def test_search_accepts_y_for_the_textbook_i(client: FlaskClient) -> None:
    # The textbook spelling is "Vật lí" (QĐ 1989/QĐ-BGDĐT); many people still type "vật lý".
    for query in ("vat+ly+lop+10", "v%E1%BA%ADt+l%C3%BD", "vat+li"):
        page = client.get(f"/courses?q={query}").get_data(as_text=True)
        assert "Vật lí lớp 10" in page, query
        assert "Toán lớp 6" not in page, query


def test_search_folds_d_with_stroke(client: FlaskClient) -> None:
    # "Đại học Mở Hà Nội" provides the university courses; "dai hoc mo" must find them.
    page = client.get("/courses?q=dai+hoc+mo").get_data(as_text=True)
    assert "Introduction to Programming" in page
    assert "Xác suất" in page


def test_search_is_case_insensitive_and_accepts_diacritics(client: FlaskClient) -> None:
    assert "Toán lớp 6" in client.get("/courses?q=TOÁN").get_data(as_text=True)


def test_level_and_grade_filters_combine_with_search(client: FlaskClient) -> None:
    page = client.get("/courses?level=k12&grade=10").get_data(as_text=True)
    assert "Vật lí lớp 10" in page
    assert "Toán lớp 6" not in page
    none = client.get("/courses?q=toan&level=university").get_data(as_text=True)
    assert "Toán lớp 6" not in none


def test_subject_filter(client: FlaskClient) -> None:
    page = client.get("/courses?subject=english").get_data(as_text=True)
    assert "English Grade 12" in page
    assert "Toán lớp 6" not in page


def test_university_course_shows_code_credits_and_hours(client: FlaskClient) -> None:
    page = client.get("/courses?level=university&lang=en").get_data(as_text=True)
    assert "INT1001" in page
    assert "150" in page


def test_pagination_splits_results(client: FlaskClient, app) -> None:  # type: ignore[no-untyped-def]
    per_page = app.config["MOOC_SETTINGS"].page_size
    total_page = client.get("/courses").get_data(as_text=True)
    assert total_page.count('class="card"') == min(6, per_page)
    out_of_range = client.get("/courses?page=999")
    assert out_of_range.status_code == 200


def test_course_page_shows_syllabus_outcomes_and_provider(client: FlaskClient) -> None:
    page = client.get("/courses/intro-programming").get_data(as_text=True)
    assert "Trường Đại học Mở Hà Nội" in page
    assert "INT1001" in page
    assert 'class="syllabus"' in page
    assert page.count("item-lecture") >= 4
    assert "item-quiz" in page


def test_unknown_course_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/courses/no-such-course")
    assert response.status_code == 404
    assert "<h1>" in response.get_data(as_text=True)
