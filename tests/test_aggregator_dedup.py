"""Exact duplicates: the same canonical URL or the same words are grouped under one post."""

from aggregator.dedup import canonical_url, group_exact_duplicates

TEXT = "Еріктілер қарт адамдарға азық-түлік жеткізіп берді, барлығына рахмет!"


def post(pid, url, text=TEXT, platform="telegram", day="2020-04-02T10:00:00Z"):
    return {"id": pid, "url": url, "text": text, "platform": platform, "published_utc": day}


def test_tracking_parameters_and_trailing_slashes_do_not_make_a_new_url():
    assert canonical_url("https://WWW.Example.org/news/1/?utm_source=tg&id=3#top") == "https://example.org/news/1?id=3"


def test_the_same_words_with_other_emoji_and_hashtags_are_one_story_shown_from_the_website():
    posts = [post("tg", "http://127.0.0.1/s/x/5", "🔥 " + TEXT + " #BIRGEMIZ"),
             post("web", "http://127.0.0.1/news/a/", TEXT, platform="website")]
    assert group_exact_duplicates(posts) == {"tg": "web"}


def test_different_stories_are_not_grouped():
    posts = [post("a", "http://127.0.0.1/1"), post("b", "http://127.0.0.1/2", "Волонтёры провели тренинг для студентов медицинского университета.")]
    assert group_exact_duplicates(posts) == {}
