"""Armenian, Devanagari and Kazakh text renders with real glyphs (the tests install Debian's Noto
fonts): no letter is drawn as the missing-glyph box, compared by rendered width in Chromium."""

from __future__ import annotations

import shutil

import pytest

pytestmark = pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed: run `make test`")

SAMPLES = {
    "hy": "Կարմիր Խաչի կամավորները սննդի փաթեթներ բաժանեցին տարեցներին",
    "hi": "युवाओं ने बालकनी में घंटियाँ बजाकर डॉक्टरों को धन्यवाद दिया",
    "kk": "Еріктілер қарт адамдарға азық-түлік жеткізді: әғқңөұүһі",
    "uz-Cyrl": "Саховат ва кўмак ҳаракати: ўқғҳ",
}
# Measures each letter with the page's own font stack on a canvas, next to characters no font has
# (private use, unassigned): those are drawn as the missing-glyph box.
MEASURE = """(text) => {
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = getComputedStyle(document.querySelector("main")).font;
  const tofu = new Set(["\\uE000", "\\uE001", "\\u0378"].map(c => ctx.measureText(c).width));
  return [...text].filter(c => /\\p{L}/u.test(c)).filter(c => tofu.has(ctx.measureText(c).width));
}"""


@pytest.mark.parametrize("lang, text", SAMPLES.items())
def test_letters_render_with_real_glyphs_not_missing_glyph_boxes(browser, site, lang, text):
    page = browser.new_page()
    page.goto(f"{site}/{lang}/")
    boxes = page.evaluate(MEASURE, text)
    page.close()
    assert boxes == [], f"{lang}: drawn as missing-glyph boxes: {''.join(boxes)}"


def test_the_check_does_see_missing_glyph_boxes(browser, site):
    # Khitan small script (U+18B00…) has no font on these machines: it must be reported.
    page = browser.new_page()
    page.goto(f"{site}/en/")
    boxes = page.evaluate(MEASURE, "\U00018B00\U00018B01\U00018B02")
    page.close()
    assert len(boxes) == 3
