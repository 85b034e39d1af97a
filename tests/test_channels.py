"""Every channel renders through the one ``Renderer`` protocol (``bot/channels/__init__.py``).

Renderers are found, not listed: any class named ``*Renderer`` in a module under
``bot/channels`` must implement the protocol and render the same replies without error, so a
new channel cannot forget to.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import bot.channels
from bot.channels import Renderer
from bot.engine import Option, Outbound


def _renderer_classes() -> list[type]:
    found: dict[str, type] = {}
    for module_info in pkgutil.walk_packages(bot.channels.__path__, "bot.channels."):
        module = importlib.import_module(module_info.name)
        for name, value in inspect.getmembers(module, inspect.isclass):
            if name.endswith("Renderer") and value is not Renderer:
                found[f"{value.__module__}.{name}"] = value
    return [found[key] for key in sorted(found)]


RENDERERS = _renderer_classes()
REPLIES = [
    Outbound("Hola & <bienvenida>"),
    Outbound("¿Qué necesitas?", options=(Option("food", "Comida"),), step="f/need"),
    Outbound("Comparte tu ubicación", asks_location=True, step="f/where"),
]


def test_the_known_channels_are_found():
    names = {cls.__name__ for cls in RENDERERS}
    assert {"SmsRenderer", "ConsoleRenderer", "TelegramRenderer"} <= names


@pytest.mark.parametrize("renderer_class", RENDERERS, ids=lambda cls: cls.__name__)
def test_every_renderer_implements_the_protocol(renderer_class: type):
    renderer = renderer_class()
    assert isinstance(renderer, Renderer)
    assert isinstance(renderer.name, str) and renderer.name
    rendered = renderer.render(REPLIES)
    assert isinstance(rendered, list) and rendered
    assert renderer.render([]) == []
