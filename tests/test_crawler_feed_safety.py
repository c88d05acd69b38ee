"""Feeds that declare XML entities (billion laughs, external entities) are refused, never expanded."""

import pytest

from crawler.spiders.rss import UnsafeFeed, parse_feed

ITEM = ("<item><title>Мы вместе</title><link>http://127.0.0.1/1</link><guid>1</guid>"
        "<pubDate>Thu, 14 May 2020 10:00:00 +0300</pubDate><description>{body}</description></item>")


def feed(doctype: str, body: str) -> bytes:
    return (f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>t</title>'
            f'{ITEM.format(body=body)}</channel></rss>').encode()


def test_an_entity_expansion_bomb_is_refused():
    laughs = '<!DOCTYPE r [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;">]>'
    with pytest.raises(UnsafeFeed, match="declares XML entities"):
        parse_feed(feed(laughs, "&c;"), "src")


def test_an_external_entity_is_refused_and_no_file_is_read():
    xxe = '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
    with pytest.raises(UnsafeFeed):
        parse_feed(feed(xxe, "&x;"), "src")


def test_an_ordinary_feed_with_a_doctype_but_no_entities_is_read():
    posts = parse_feed(feed('<!DOCTYPE rss>', "Волонтёры помогли"), "src")
    assert [p["text"] for p in posts] == ["Волонтёры помогли"]
