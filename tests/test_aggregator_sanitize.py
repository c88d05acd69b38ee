"""Hostile HTML is made safe; formatting and links survive."""

from aggregator.sanitize import plain_text, sanitize_html


def test_scripts_event_handlers_and_javascript_links_are_removed():
    html = '<p onclick="x()">Привет<script>alert(1)</script> <a href="javascript:alert(1)">ссылка</a></p><iframe src="//x"></iframe>'
    clean = sanitize_html(html)
    assert "script" not in clean and "onclick" not in clean and "javascript" not in clean and "iframe" not in clean
    assert "Привет" in clean and "ссылка" in clean


def test_formatting_and_safe_links_are_kept_with_nofollow():
    clean = sanitize_html('<p><b>Біргеміз</b> <a href="https://example.org/x">link</a></p>')
    assert "<b>Біргеміз</b>" in clean
    assert 'href="https://example.org/x"' in clean and "nofollow" in clean


def test_plain_text_keeps_paragraph_breaks():
    assert plain_text("<p>Бір</p><p>Екі<br>Үш</p>") == "Бір\n\nЕкі\nҮш"
