"""Public comment by text: consent first, then a de-identified export."""

from __future__ import annotations

from xml.etree import ElementTree

from bot.cli import main


def _reply(twilio, body: str, sender: str = "+12135550123") -> str:  # type: ignore[no-untyped-def]
    response = twilio.post(body, sender=sender)
    root = ElementTree.fromstring(response.get_data(as_text=True))
    return "\n---\n".join(message.text or "" for message in root.iter("Message"))


def test_comment_with_consent_is_exported_without_who_wrote_it(app, twilio, tmp_path):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    assert _reply(twilio, "comentar") == (
        "No hay nada abierto para comentarios ahora. Responde MENU para ver opciones."
    )
    opened = runner.invoke(main, [
        "comments", "open", "--title", "Prevention recommendations",
        "--title-es", "Recomendaciones de prevención",
    ])  # fmt: skip
    assert opened.exit_code == 0, opened.output
    assert _reply(twilio, "comentar").startswith("Comentario sobre: Recomendaciones de prevención")
    _reply(twilio, "Más despensas cerca de la escuela. Llámenme al 213-555-0123")
    assert _reply(twilio, "sí") == "¡Gracias! Guardamos tu comentario para enviarlo."
    _reply(twilio, "comment", "+12135550124")
    _reply(twilio, "Bus passes for parents", "+12135550124")
    assert _reply(twilio, "no", "+12135550124") == (
        "OK, we did not keep your comment. Reply MENU for options."
    )
    out = tmp_path / "comments.txt"
    exported = runner.invoke(main, ["comments", "export", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    text = out.read_text(encoding="utf-8")
    assert text == (
        "Public comment: Prevention recommendations / Recomendaciones de prevención\n"
        "1 comment(s), submitted by residents through Vecino with their consent.\n\n"
        "1. (2026-11-24, es) Más despensas cerca de la escuela. Llámenme al [number]\n"
    )
    assert "+1213" not in text and "Bus passes" not in text
