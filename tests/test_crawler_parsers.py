"""The crawler's pure parsers, fed the saved responses in tests/responses/<platform>/."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from crawler.api.mastodon import LINK_NEXT, parse_statuses
from crawler.spiders.rss import parse_feed
from crawler.spiders.telegram import before_url, parse_telegram_page
from crawler.spiders.website import parse_article, parse_listing
from tests.conftest import RESPONSES

UTC = timezone.utc
MSK = timezone(timedelta(hours=3))
BAKU = timezone(timedelta(hours=4))
YEREVAN = timezone(timedelta(hours=4))
TASHKENT = timezone(timedelta(hours=5))

CHANNEL = "https://t.me/s/birgemiz_youth"
SITE = "https://yoshlar-kongilli.uz"
ARTICLE_A = f"{SITE}/news/toshkentda-qon-topshirish-aksiyasi/"
ARTICLE_B = f"{SITE}/news/samarqand-kitob-yarmarkasi/"


def _read(path: str) -> bytes:
    return (RESPONSES / path).read_bytes()


def _by_id(posts: list) -> dict:
    return {p["native_id"]: p for p in posts}


@pytest.fixture(scope="module")
def rss_posts() -> dict:
    return _by_id(parse_feed(_read("rss/volunteers-ru.xml"), "vmeste-rss", "https://vmeste-volunteers.ru/feed/"))


@pytest.fixture(scope="module")
def atom_posts() -> dict:
    return _by_id(parse_feed(_read("rss/youth-network-az.atom"), "genc-atom", "https://genckonullu.az/feed.atom"))


@pytest.fixture(scope="module")
def telegram_page_1() -> dict:
    html = _read("telegram/birgemiz_youth.html").decode()
    return _by_id(parse_telegram_page(html, "birgemiz-tg", CHANNEL))


@pytest.fixture(scope="module")
def mastodon_posts() -> dict:
    statuses = json.loads(_read("mastodon/statuses-1.json"))
    return _by_id(parse_statuses(statuses, "yuva-mastodon"))


def _article(name: str, url: str):
    return parse_article(_read(f"website/{name}.html").decode(), url, "yoshlar-web")


# --- RSS 2.0 -------------------------------------------------------------------------------------

def test_rss_feed_yields_every_item_with_its_guid_title_and_link(rss_posts):
    post = rss_posts["https://vmeste-volunteers.ru/?p=4812"]
    assert len(rss_posts) == 5
    assert post["title"] == "Весенний субботник: 300 волонтёров вышли в парк Дружбы"
    assert post["url"] == "https://vmeste-volunteers.ru/news/vesenniy-subbotnik/"
    assert post["source_id"] == "vmeste-rss"


def test_rss_item_date_keeps_its_utc_offset(rss_posts):
    published = rss_posts["https://vmeste-volunteers.ru/?p=4812"]["published"]
    assert published == datetime(2025, 3, 11, 15, 30, tzinfo=MSK)
    assert published.utcoffset() == timedelta(hours=3)


def test_rss_item_author_comes_from_dc_creator(rss_posts):
    assert rss_posts["https://vmeste-volunteers.ru/?p=4812"]["author"] == "Анна Миронова"
    assert rss_posts["https://vmeste-volunteers.ru/?p=4797"]["author"] == "Пресс-служба центра"


def test_rss_categories_become_hashtags(rss_posts):
    assert rss_posts["https://vmeste-volunteers.ru/?p=4812"]["hashtags"] == ["МыВместе", "Экология"]
    assert rss_posts["https://vmeste-volunteers.ru/?p=4797"]["hashtags"] == ["WeAreTogether"]


def test_rss_full_text_from_content_encoded_is_preferred_to_the_description(rss_posts):
    text = rss_posts["https://vmeste-volunteers.ru/?p=4812"]["text"]
    assert text == ("В субботу студенты и школьники убрали берег пруда и высадили 120 молодых лип.\n\n"
                    "Следующая встреча — 22 марта. Присоединяйтесь! #МыВместе")


def test_rss_description_paragraphs_become_plain_text_paragraphs(rss_posts):
    assert rss_posts["https://vmeste-volunteers.ru/?p=4797"]["text"] == (
        "Ищем добровольцев 18–30 лет, готовых два часа в неделю помогать ребятам из приютов с учёбой.\n\n"
        "Заявки принимаем до 20 марта.")


def test_rss_channel_language_is_the_lang_hint_of_every_item(rss_posts):
    assert {p["lang_hint"] for p in rss_posts.values()} == {"ru"}


def test_rss_media_content_image_keeps_its_width_and_height(rss_posts):
    media = rss_posts["https://vmeste-volunteers.ru/?p=4812"]["media"]
    assert media[0]["type"] == "image"
    assert media[0]["url"] == "https://vmeste-volunteers.ru/wp-content/uploads/2025/03/subbotnik.jpg"
    assert (media[0]["width"], media[0]["height"]) == (1200, 800)


def test_rss_media_description_becomes_the_image_alt_text(rss_posts):
    media = rss_posts["https://vmeste-volunteers.ru/?p=4812"]["media"]
    assert media[0].get("alt") == "Волонтёры в оранжевых жилетах сажают липы у пруда"


def test_rss_item_text_is_its_description_not_its_image_caption(rss_posts):
    assert rss_posts["https://vmeste-volunteers.ru/?p=4750"]["text"] == (
        "Сорок вожатых летних лагерей научились накладывать повязки и делать сердечно-лёгочную реанимацию.")


def test_rss_enclosure_becomes_an_image(rss_posts):
    media = rss_posts["https://vmeste-volunteers.ru/?p=4797"]["media"]
    assert [(m["type"], m["url"]) for m in media] == [
        ("image", "https://vmeste-volunteers.ru/wp-content/uploads/2025/03/nastavniki.jpg")]


def test_rss_video_media_content_is_a_video_and_its_thumbnail_an_image(rss_posts):
    media = rss_posts["https://vmeste-volunteers.ru/?p=4775"]["media"]
    assert [(m["type"], m["url"]) for m in media] == [
        ("video", "https://vmeste-volunteers.ru/wp-content/uploads/2025/03/forum.mp4"),
        ("image", "https://vmeste-volunteers.ru/wp-content/uploads/2025/03/forum-poster.jpg"),
    ]
    assert (media[0]["width"], media[0]["height"]) == (1920, 1080)


def test_rss_media_content_typed_video_without_medium_is_a_video(rss_posts):
    media = rss_posts["https://vmeste-volunteers.ru/?p=4761"]["media"]
    assert [(m["type"], m["url"]) for m in media] == [
        ("video", "https://vmeste-volunteers.ru/wp-content/uploads/2025/03/pisma.mp4")]


# --- Atom ----------------------------------------------------------------------------------------

def test_atom_feed_xml_lang_is_the_lang_hint_of_its_entries(atom_posts):
    assert atom_posts["tag:genckonullu.az,2025:xeber-318"]["lang_hint"] == "az"


def test_atom_content_with_its_own_xml_lang_overrides_the_feed_language(atom_posts):
    assert atom_posts["tag:genckonullu.az,2025:xeber-311"]["lang_hint"] == "en"


def test_atom_entry_keeps_title_text_author_and_alternate_link(atom_posts):
    post = atom_posts["tag:genckonullu.az,2025:xeber-318"]
    assert post["title"] == "Gəncədə 150 könüllü ağacəkmə aksiyasına qoşuldu"
    assert post["text"] == ("Şənbə günü Gəncə şəhər parkında 150 könüllü 400 şam tingi əkdi.\n\n"
                            "Növbəti aksiya Şəkidə olacaq. #WeAreTogether")
    assert post["author"] == "Leyla Məmmədova"
    assert post["url"] == "https://genckonullu.az/xeberler/gence-agacekme"


def test_atom_published_date_is_preferred_to_updated(atom_posts):
    assert atom_posts["tag:genckonullu.az,2025:xeber-318"]["published"] == datetime(2025, 3, 12, 9, 20, tzinfo=BAKU)


def test_atom_entry_without_published_date_falls_back_to_updated(atom_posts):
    assert atom_posts["tag:genckonullu.az,2025:xeber-311"]["published"] == datetime(2025, 3, 5, 16, 0, tzinfo=BAKU)


def test_atom_category_terms_become_hashtags(atom_posts):
    assert atom_posts["tag:genckonullu.az,2025:xeber-318"]["hashtags"] == ["WeAreTogether", "Könüllülük"]


def test_atom_enclosure_link_is_an_image_with_its_title_as_alt(atom_posts):
    assert atom_posts["tag:genckonullu.az,2025:xeber-318"]["media"] == [{
        "type": "image", "url": "https://genckonullu.az/media/gence-agacekme.jpg",
        "alt": "Könüllülər park yolunda şam tingləri əkir"}]


# --- broken feeds --------------------------------------------------------------------------------

def test_feed_entry_without_a_date_is_skipped_while_the_others_are_kept():
    posts = parse_feed(_read("rss/broken-entry-hy.xml"), "kamavor-rss")
    assert [p["url"] for p in posts] == ["https://kamavor-youth.am/news/gyumri-library",
                                         "https://kamavor-youth.am/news/winter-campaign"]
    assert [p["published"] for p in posts] == [datetime(2025, 3, 9, 11, 0, tzinfo=YEREVAN),
                                                datetime(2025, 3, 1, 18, 30, tzinfo=YEREVAN)]
    assert posts[0]["title"] == "Գյումրիում կամավորները վերանորոգեցին դպրոցի գրադարանը"
    assert {p["lang_hint"] for p in posts} == {"hy"}


def test_html_garbage_instead_of_a_feed_yields_no_posts():
    assert parse_feed(_read("website/garbage.html"), "kamavor-rss") == []


# --- Telegram ------------------------------------------------------------------------------------

def test_telegram_page_yields_each_message_with_its_stable_id_and_date(telegram_page_1):
    assert list(telegram_page_1) == ["141", "142", "144", "145", "146"]
    assert telegram_page_1["141"]["published"] == datetime(2025, 3, 10, 6, 15, 43, tzinfo=UTC)
    assert telegram_page_1["146"]["published"] == datetime(2025, 3, 13, 9, 0, tzinfo=UTC)


def test_telegram_message_url_is_its_permalink_on_t_me(telegram_page_1):
    assert telegram_page_1["145"]["url"] == "https://t.me/birgemiz_youth/145"


def test_telegram_author_is_the_channel_name(telegram_page_1):
    assert {p["author"] for p in telegram_page_1.values()} == {"BIRGEMIZ | Жастар еріктілері"}


def test_telegram_line_breaks_bold_text_links_and_emoji_survive_as_plain_text(telegram_page_1):
    assert telegram_page_1["142"]["text"] == (
        "Школа наставников — набор открыт!\n\n"
        "Ищем студентов, готовых раз в неделю помогать подросткам из Шымкента и Бишкека с учёбой. "
        "Обучение бесплатное, сертификат выдаём 🎓\n"
        "Анкета: forms.example.org/birgemiz-mentors\n\n"
        "#МыВместе")


def test_telegram_hashtags_are_read_from_the_message_text(telegram_page_1):
    assert telegram_page_1["141"]["hashtags"] == ["BIRGEMIZ", "ЖастарЕріктілері"]
    assert telegram_page_1["145"]["hashtags"] == ["BIRGEMIZ", "Birgamiz"]


def test_telegram_devanagari_hashtags_are_kept_whole(telegram_page_1):
    assert telegram_page_1["146"]["hashtags"] == ["हमसाथहैं", "WeAreTogether"]


def test_telegram_photo_url_comes_from_the_background_image_style(telegram_page_1):
    assert telegram_page_1["141"]["media"] == [
        {"type": "image", "url": "https://cdn4.telesco.pe/file/QWxtYXR5QmFxc2hhRXJpa3RpbGVy.jpg"}]


def test_telegram_album_yields_every_photo_in_order(telegram_page_1):
    assert [m["url"] for m in telegram_page_1["142"]["media"]] == [
        "https://cdn4.telesco.pe/file/U2hrb2xhTmFzdGF2bmlraTE.jpg",
        "https://cdn4.telesco.pe/file/U2hrb2xhTmFzdGF2bmlraTI.jpg",
    ]


def test_telegram_video_message_yields_the_video_file(telegram_page_1):
    assert telegram_page_1["145"]["media"] == [
        {"type": "video", "url": "https://cdn4.telesco.pe/file/VG9zaGtlbnRNYXJhZm9u.mp4?token=Zk9xN2tQ"}]


def test_telegram_text_only_message_has_no_media(telegram_page_1):
    assert telegram_page_1["146"]["media"] == []


def test_telegram_reply_keeps_its_own_text_not_the_quoted_message(telegram_page_1):
    post = telegram_page_1["144"]
    assert post["text"] == ("Курс аяктады! 45 жаш ыктыярчы биринчи жардам күбөлүгүн алды. Баарыңарга рахмат 💛\n\n"
                            "#BIRGEMIZ #Биргебиз")


def test_telegram_older_page_holds_only_messages_older_than_its_before_id():
    html = _read("telegram/birgemiz_youth-before-141.html").decode()
    posts = parse_telegram_page(html, "birgemiz-tg", before_url(CHANNEL, 141))
    assert [p["native_id"] for p in posts] == ["134", "135", "137", "138", "140"]
    assert posts[0]["text"].startswith("Volunteer training day in Bishkek")
    assert posts[0]["published"] == datetime(2025, 3, 1, 5, 30, tzinfo=UTC)


def test_telegram_page_without_messages_yields_nothing():
    assert parse_telegram_page(_read("website/garbage.html").decode(), "birgemiz-tg", CHANNEL) == []


def test_before_url_adds_the_before_parameter():
    assert before_url(CHANNEL, 141) == "https://t.me/s/birgemiz_youth?before=141"


def test_before_url_keeps_an_existing_search_query():
    assert before_url("https://t.me/s/birgemiz_youth?q=%23BIRGEMIZ", 141) == \
        "https://t.me/s/birgemiz_youth?q=%23BIRGEMIZ&before=141"


def test_before_url_replaces_an_earlier_before_parameter():
    assert before_url("https://t.me/s/birgemiz_youth?before=141", 134) == "https://t.me/s/birgemiz_youth?before=134"


# --- websites ------------------------------------------------------------------------------------

def test_listing_yields_the_article_links_but_not_sidebar_or_menu_links():
    links, _ = parse_listing(_read("website/news.html").decode(), f"{SITE}/news/")
    assert links == [ARTICLE_A]


def test_listing_finds_the_next_page():
    _, next_page = parse_listing(_read("website/news.html").decode(), f"{SITE}/news/")
    assert next_page == f"{SITE}/news/page/2/"


def test_last_listing_page_has_no_next_page():
    links, next_page = parse_listing(_read("website/news-page-2.html").decode(), f"{SITE}/news/page/2/")
    assert links == [ARTICLE_B]
    assert next_page is None


def test_listing_relative_links_are_resolved_against_the_page_url():
    html = ('<article><h2><a href="ish-bor/">Vakansiya: ko‘ngillilar koordinatori</a></h2></article>'
            '<nav class="pagination"><a rel="next" href="?page=3">»</a></nav>')
    assert parse_listing(html, f"{SITE}/news/?page=2") == ([f"{SITE}/news/ish-bor/"], f"{SITE}/news/?page=3")


def test_article_date_comes_from_json_ld_with_its_offset():
    post = _article("toshkentda-qon-topshirish-aksiyasi", ARTICLE_A)
    assert post["published"] == datetime(2025, 3, 9, 14, 0, tzinfo=TASHKENT)
    assert post["published"].utcoffset() == timedelta(hours=5)


def test_article_title_and_author_come_from_json_ld():
    post = _article("toshkentda-qon-topshirish-aksiyasi", ARTICLE_A)
    assert post["title"] == "Toshkentda 500 nafar yosh ko‘ngilli qon topshirdi"
    assert post["author"] == "Dilnoza Karimova"


def test_article_url_is_its_og_url():
    post = _article("toshkentda-qon-topshirish-aksiyasi", "https://yoshlar-kongilli.uz/?p=2291")
    assert post["url"] == ARTICLE_A


def test_article_text_is_the_entry_content_without_figure_caption_or_script():
    post = _article("toshkentda-qon-topshirish-aksiyasi", ARTICLE_A)
    assert post["text"] == (
        "Shanba kuni «Birgamiz» aksiyasi doirasida 500 nafar talaba va maktab bitiruvchisi Toshkent shahar qon "
        "quyish markaziga keldi.\n\n"
        "Shifokorlarning aytishicha, to‘plangan qon 1 500 nafar bemorga yordam beradi. Keyingi aksiya aprel oyida "
        "Namanganda bo‘lib o‘tadi.\n\n"
        "#BIRGEMIZ #Birgamiz")


def test_article_cover_image_comes_first_then_body_images_with_alt_and_size():
    post = _article("toshkentda-qon-topshirish-aksiyasi", ARTICLE_A)
    assert post["media"] == [
        {"type": "image", "url": "https://yoshlar-kongilli.uz/wp-content/uploads/2025/03/qon-aksiyasi.jpg"},
        {"type": "image", "url": "https://yoshlar-kongilli.uz/wp-content/uploads/2025/03/qon-navbat.jpg",
         "alt": "Ko‘ngillilar qon markazi oldida navbatda turibdi", "width": 1024, "height": 683},
    ]


def test_article_lang_hint_comes_from_json_ld_in_language():
    assert _article("toshkentda-qon-topshirish-aksiyasi", ARTICLE_A)["lang_hint"] == "uz"


def test_article_in_a_json_ld_graph_is_read_with_its_date_author_and_image():
    post = _article("samarqand-kitob-yarmarkasi", ARTICLE_B)
    assert post["title"] == "Самарқандда ёшлар хайрия китоб ярмаркасини ўтказди"
    assert post["published"] == datetime(2025, 2, 27, 18, 30, tzinfo=TASHKENT)
    assert post["author"] == "Жасур Тошпўлатов"
    assert post["media"] == [
        {"type": "image", "url": "https://yoshlar-kongilli.uz/wp-content/uploads/2025/02/kitob-yarmarka.jpg"}]


def test_article_without_json_ld_language_takes_the_html_lang():
    assert _article("samarqand-kitob-yarmarkasi", ARTICLE_B)["lang_hint"] == "uz-Cyrl"


def test_page_without_a_date_is_not_an_article():
    assert _article("garbage", f"{SITE}/news/broken/") is None


# --- Mastodon ------------------------------------------------------------------------------------

def test_mastodon_public_statuses_are_kept_in_timeline_order(mastodon_posts):
    assert list(mastodon_posts) == ["114130000000000006", "114128700000000100", "114126000000000002"]


def test_mastodon_unlisted_status_is_dropped(mastodon_posts):
    assert "114128000000000004" not in mastodon_posts
    assert not any("planning call" in p["text"] for p in mastodon_posts.values())


def test_mastodon_status_of_an_account_with_noindex_is_dropped(mastodon_posts):
    assert not any(p["author"] == "Айгерим" or "114127" in p["native_id"] for p in mastodon_posts.values())


def test_mastodon_reblog_yields_the_original_status_with_its_author_and_url(mastodon_posts):
    post = mastodon_posts["114128700000000100"]
    assert post["author"] == "BIRGEMIZ Youth"
    assert post["url"] == "https://mastodon.online/@birgemiz/114128699000000000"
    assert post["published"] == datetime(2025, 3, 12, 14, 55, 2, tzinfo=UTC)
    assert post["text"] == (
        "Шымкентте 90 ерікті жас қарттар үйіне Наурыз мерекесіне дайындалуға көмектесті.\n\n#BIRGEMIZ")


def test_mastodon_status_keeps_text_author_url_and_utc_date(mastodon_posts):
    post = mastodon_posts["114130000000000006"]
    assert post["text"] == (
        "दिल्ली में होली से पहले 120 युवा स्वयंसेवकों ने बस्ती के बच्चों को किताबें और रंग बाँटे।\n\n"
        "साथ मिलकर हम बदलाव ला सकते हैं! #हमसाथहैं #WeAreTogether")
    assert post["author"] == "Yuva Sewa Network 🇮🇳"
    assert post["url"] == "https://mastodon.social/@yuva_sewa/114130000000000006"
    assert post["published"] == datetime(2025, 3, 13, 8, 12, 45, tzinfo=UTC)


def test_mastodon_image_attachment_keeps_its_original_size_and_description(mastodon_posts):
    assert mastodon_posts["114130000000000006"]["media"] == [{
        "type": "image",
        "url": "https://files.mastodon.social/media_attachments/files/114/130/000/000/001/001/original/"
               "3fa9c2e1b7d04a55.jpg",
        "alt": "बच्चे रंग-बिरंगी किताबें हाथ में लिए स्वयंसेवकों के साथ बैठे हैं", "width": 1600, "height": 1067}]


def test_mastodon_video_attachment_is_a_video_with_its_original_size(mastodon_posts):
    [video] = mastodon_posts["114126000000000002"]["media"]
    assert video["type"] == "video"
    assert video["url"].endswith("/original/9d2e4c7a11b05f3e.mp4")
    assert (video["width"], video["height"]) == (1280, 720)
    assert video["alt"] == "Volunteers unloading bags of rice from a truck in Pune"


def test_mastodon_tags_become_hashtags(mastodon_posts):
    assert mastodon_posts["114130000000000006"]["hashtags"] == ["हमसाथहैं", "wearetogether"]
    assert mastodon_posts["114126000000000002"]["hashtags"] == ["wearetogether", "volunteering"]


def test_mastodon_status_language_is_the_lang_hint(mastodon_posts):
    assert {i: p["lang_hint"] for i, p in mastodon_posts.items()} == {
        "114130000000000006": "hi", "114128700000000100": "kk", "114126000000000002": "en"}


def test_mastodon_link_header_gives_the_next_page_not_the_previous_one():
    link = _read("mastodon/statuses-1.link").decode()
    assert LINK_NEXT.search(link).group(1) == \
        "https://mastodon.social/api/v1/accounts/109512346789012345/statuses?max_id=114126000000000002"


def test_mastodon_entries_that_are_not_statuses_are_ignored():
    statuses = json.loads(_read("mastodon/statuses-2.json"))
    assert [p["native_id"] for p in parse_statuses(["oops", None, *statuses], "yuva-mastodon")] == [
        "114120000000000001", "114118000000000000"]
