"""The dashboard panel registry: order, replacement by name, panels with nothing to show."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from mooc.web import dashboard_panels as panels


@pytest.fixture
def empty_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(panels, "_PANELS", {})


@pytest.mark.usefixtures("empty_registry")
def test_panels_render_in_order_and_skip_empty_ones() -> None:
    panels.register_panel("late", lambda user: Markup("<p>late</p>"), order=50)
    panels.register_panel("early", lambda user: Markup("<p>{}</p>").format(user), order=10)
    panels.register_panel("silent", lambda user: None, order=20)
    assert panels.dashboard_panels("pupil") == ["<p>pupil</p>", "<p>late</p>"]


@pytest.mark.usefixtures("empty_registry")
def test_registering_a_name_again_replaces_the_panel() -> None:
    panels.register_panel("class", lambda user: Markup("old"))
    panels.register_panel("class", lambda user: Markup("new"))
    assert panels.dashboard_panels(None) == ["new"]
