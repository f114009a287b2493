"""Panels other features add to the learner's dashboard, without the dashboard knowing them.

`learning` (a lower layer) owns the dashboard; `schools` (above it) wants to show a pupil's class
and their "to do" list there. A feature registers a callable `(user) -> Markup | None` once, at
import; the dashboard template calls `dashboard_panels(user)` and renders what they return, in
`order`. A panel that has nothing to say returns None and takes no space.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

PanelFn = Callable[[Any], Markup | None]


@dataclass(frozen=True, slots=True)
class Panel:
    name: str
    render: PanelFn
    order: int


_PANELS: dict[str, Panel] = {}


def register_panel(name: str, fn: PanelFn, order: int = 100) -> None:
    """Add (or, under the same name, replace) a panel; lower `order` comes first. Replacing by
    name keeps registration idempotent when a module is imported again or an app is built twice."""
    _PANELS[name] = Panel(name, fn, order)


def registered_panels() -> list[Panel]:
    return sorted(_PANELS.values(), key=lambda panel: (panel.order, panel.name))


def dashboard_panels(user: Any) -> list[Markup]:
    """The HTML of every panel that has something to show `user`, in order (a Jinja global)."""
    shown = (panel.render(user) for panel in registered_panels())
    return [html for html in shown if html]
