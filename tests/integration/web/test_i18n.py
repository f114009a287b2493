"""Messages that come from libraries (WTForms validators, Flask-Login) speak the UI language."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.helpers import csrf_from

VI = {"Accept-Language": "vi"}


def test_required_and_length_messages_are_in_vietnamese(client: FlaskClient) -> None:
    token = csrf_from(client, "/register")
    page = client.post(
        "/register",
        data={"csrf_token": token, "name": "x" * 121, "email": "", "password": "", "confirm": ""},
        headers=VI,
    ).get_data(as_text=True)
    assert "Trường này không được dài quá 120 ký tự." in page
    assert "This field is required." not in page
    assert "Field cannot be longer" not in page


def test_login_prompt_is_in_vietnamese(client: FlaskClient) -> None:
    response = client.get("/dashboard", headers=VI, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Vui lòng đăng nhập để truy cập trang này." in page
    assert "Please log in to access this page." not in page


def test_unknown_course_detail_is_translated(client: FlaskClient) -> None:
    page = client.get("/courses/khong-co", headers=VI).get_data(as_text=True)
    assert "Không có khoá học này." in page
