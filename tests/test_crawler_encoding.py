"""Cyrillic pages whose charset label lies are still read right."""

import pytest

from crawler.encoding import decode_body, utf8_xml

TEXT = "Волонтёры доставили продукты и лекарства пожилым людям Курска"


@pytest.mark.parametrize("codec", ["cp1251", "koi8_r"])
@pytest.mark.parametrize("label", ["utf-8", None, "windows-1251"])
def test_legacy_cyrillic_bytes_decode_whatever_the_label_says(codec, label):
    assert decode_body(TEXT.encode(codec), label) == TEXT


def test_real_utf8_is_decoded_as_utf8():
    assert decode_body("Біргеміз ә ғ қ".encode("utf-8"), "utf-8") == "Біргеміз ә ғ қ"


def test_an_xml_feed_in_cp1251_that_claims_utf8_is_reencoded():
    body = f'<?xml version="1.0" encoding="utf-8"?><rss><channel><title>{TEXT}</title></channel></rss>'.encode("cp1251")
    fixed = utf8_xml(body)
    assert TEXT in fixed.decode("utf-8")
    assert fixed.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
