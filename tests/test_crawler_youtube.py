"""YouTube channel feeds: title, description, thumbnail, the video link and its views."""

from pathlib import Path

from crawler.spiders.rss import parse_feed

FEED = Path(__file__).parent / "responses" / "youtube" / "channel.xml"


def test_a_youtube_entry_keeps_title_description_date_and_views():
    day_two, day_one = parse_feed(FEED.read_bytes(), "ru-rsm-youtube")
    assert day_two["title"] == "Марафон «Мы вместе online» — день второй"
    assert day_two["text"].startswith("Второй день международного интернет-марафона")
    assert day_two["published"].isoformat() == "2020-05-15T16:00:00+00:00"
    assert (day_two["views"], day_one["views"]) == (48213, 201877)
    assert day_two["native_id"] == "yt:video:Mv2020Day2aa"


def test_a_youtube_entry_links_the_video_and_its_thumbnail_not_the_flash_embed():
    day_two, _ = parse_feed(FEED.read_bytes(), "ru-rsm-youtube")
    assert day_two["media"] == [
        {"type": "video", "url": "http://127.0.0.1/watch?v=Mv2020Day2aa", "alt": day_two["title"]},
        {"type": "image", "url": "http://127.0.0.1/vi/Mv2020Day2aa/hqdefault.jpg", "alt": day_two["title"],
         "width": 480, "height": 360},
    ]
