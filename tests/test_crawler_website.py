"""Website news sections without a feed, fed the pages saved in tests/responses/website_extra/.

The pages are modelled on 1C-Bitrix (ru), Tilda (kk), WordPress (az), Joomla (hy) and a home-made
CMS (uz). A single crawl at the end follows a Bitrix listing through its pager to its articles.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crawler.run import crawl
from crawler.spiders.website import parse_article, parse_listing
from marathon.demo.recorded import Recorded, RecordedServer
from marathon.model import Source
from marathon.store import iter_posts, open_store
from tests.conftest import RESPONSES

UTC = timezone.utc
BAKU = timezone(timedelta(hours=4))
YEREVAN = timezone(timedelta(hours=4))

KAZAN = "https://dobrovolcy-kazan.ru/press-center/news/"
JASTAR = "https://jastar-erikti.kz"
TILDA_POST = f"{JASTAR}/tpost/k4f2ab91s1-shimkentte-eriktiler-azyq-tlik-zhetkizd"
KONULLU = "https://konullu-gencler.az"
KAMAVOR = "https://kamavor-yerevan.am/hy/norutyunner"
NAVOIY = "https://navoiy-yoshlari.uz/yangiliklar/"
HY_SELECTORS = {"title": "h1.post-heading", "date": ".post-day", "content": ".post-body"}


def _page(name: str) -> str:
    return (RESPONSES / "website_extra" / f"{name}.html").read_text(encoding="utf-8")


def _article(name: str, url: str, selectors: dict[str, str] | None = None):
    return parse_article(_page(name), url, "test-web", selectors)


# --- dates written in the page's own language ----------------------------------------------------

def test_a_russian_date_in_words_after_a_label_is_that_day_in_utc():
    post = _article("ru-bitrix-article-1517", f"{KAZAN}1517/")
    assert post["published"] == datetime(2020, 5, 15, tzinfo=UTC)


def test_a_bitrix_date_with_a_time_is_read_to_the_minute_in_utc():
    post = _article("ru-bitrix-article-1532", f"{KAZAN}1532/")
    assert post["published"] == datetime(2022, 2, 28, 22, 8, tzinfo=UTC)


def test_a_kazakh_date_in_a_tilda_post_is_read_as_that_day():
    assert _article("kk-tilda-post", TILDA_POST)["published"] == datetime(2020, 5, 14, tzinfo=UTC)


def test_a_kazakh_date_written_year_first_with_the_year_word_is_read():
    html = ('<html lang="kk"><body><article><h1>Қарағандыда еріктілер қан тапсырды</h1>'
            '<div class="news-date">2020 жылғы 14 мамыр</div><p>Акцияға 90 студент қатысты.</p>'
            '</article></body></html>')
    assert parse_article(html, f"{JASTAR}/tpost/qan", "test-web")["published"] == datetime(2020, 5, 14, tzinfo=UTC)


def test_a_date_in_a_source_selector_is_read_in_the_page_language_despite_a_region_in_html_lang():
    post = _article("hy-article", f"{KAMAVOR}/125-gyumri-gradaran", HY_SELECTORS)
    assert post["published"] == datetime(2021, 4, 12, tzinfo=UTC)


def test_a_page_with_a_body_but_no_date_is_not_a_post():
    assert _article("az-wordpress-page-without-date", f"{KONULLU}/konullu-ol/") is None


# --- metadata ------------------------------------------------------------------------------------

def test_a_json_ld_article_inside_a_yoast_graph_gives_the_date_with_its_offset():
    post = _article("az-wordpress-article", f"{KONULLU}/xeberler/gencede-yasil-marafon/")
    assert post["published"] == datetime(2023, 3, 5, 11, 20, tzinfo=BAKU)
    assert post["published"].utcoffset() == timedelta(hours=4)


def test_a_json_ld_article_inside_a_yoast_graph_gives_the_headline_and_author():
    post = _article("az-wordpress-article", f"{KONULLU}/xeberler/gencede-yasil-marafon/")
    assert (post["title"], post["author"]) == ("Gəncədə 200 könüllü “Yaşıl marafon”a qoşuldu", "Leyla Məmmədova")


def test_a_json_ld_object_whose_type_is_a_list_is_read_as_an_article():
    post = _article("hy-article", f"{KAMAVOR}/125-gyumri-gradaran")
    assert post["published"] == datetime(2023, 1, 16, 18, 45, tzinfo=YEREVAN)
    assert post["author"] == "Կամավոր Երևան"


def test_a_page_without_metadata_takes_its_title_from_the_h1():
    post = _article("ru-bitrix-article-1529", f"{KAZAN}1529/")
    assert post["title"] == "День донора в КФУ: 86 добровольцев сдали кровь"


def test_source_selectors_override_json_ld_for_the_title_date_and_body():
    post = _article("hy-article", f"{KAMAVOR}/125-gyumri-gradaran", HY_SELECTORS)
    assert post["title"] == "Գյումրիում 60 երիտասարդ կամավոր վերանորոգեց դպրոցական գրադարանը"
    assert post["published"].date().isoformat() == "2021-04-12"
    assert post["text"] == (
        "«Միասին» ծրագրի շրջանակում 60 երիտասարդ կամավոր երկու շաբաթվա ընթացքում ներկեցին Գյումրիի թիվ 5 "
        "դպրոցի գրադարանի պատերը, նորոգեցին դարակները և դասավորեցին ավելի քան 3 000 գիրք։\n\n"
        "Գրքերի մեծ մասը նվիրաբերել են Երևանի և Գյումրիի բնակիչները։ Գրադարանը կբացվի ապրիլի 20-ին։")


# --- the body ------------------------------------------------------------------------------------

def test_the_date_line_inside_a_bitrix_body_is_not_part_of_its_text():
    text = _article("ru-bitrix-article-1532", f"{KAZAN}1532/")["text"]
    assert text.startswith("Около 120 студентов казанских вузов")
    assert "28.02.2022" not in text and "Поделиться" not in text


def test_a_tilda_post_body_keeps_every_text_block():
    assert _article("kk-tilda-post", TILDA_POST)["text"] == (
        "«Біргеміз» акциясы аясында Шымкент қаласының 70-тен астам ерікті жасы аз қамтылған 500 отбасыға "
        "азық-түлік себеттерін жеткізді.\n\n"
        "Еріктілер екі апта бойы күн сайын таңертең жиналып, өтінімдерді қалалық штабпен бірге өңдеді. "
        "Себеттерге ұн, күріш, май және дәрі-дәрмек салынды.\n\n"
        "Акцияға қосылғысы келетіндер 1414 байланыс орталығына хабарласа алады.")


def test_a_page_without_a_known_content_container_gets_its_body_from_trafilatura():
    assert _article("uz-custom-cms-article", f"{NAVOIY}2145/")["text"] == (
        "Navro‘z arafasida «Yashil makon» umummilliy loyihasi doirasida Navoiy shahridagi 40 dan ortiq talaba "
        "va maktab o‘quvchisi Zarafshon daryosi bo‘yida 2 000 ta tut va terak ko‘chatini o‘tqazdi.\n\n"
        "Ko‘ngillilar har bir ko‘chatni kuz kelguncha sug‘orib turishga va’da berishdi. Tadbirda shahar "
        "hokimligi vakillari va mahalla faollari ham qatnashdi.\n\n"
        "Keyingi shanbalik 1-aprel kuni Karmana tumanida bo‘lib o‘tadi. Qatnashmoqchi bo‘lganlar loyiha "
        "sahifasida ro‘yxatdan o‘tishi mumkin.")


@pytest.mark.parametrize("chrome", ["Bosh sahifa", "Biz bilan bog‘lanish", "So‘nggi yangiliklar",
                                    "Yosh kitobxonlar tanlovi", "Ulashish", "Barcha huquqlar", "Islom Karimov"])
def test_a_trafilatura_body_leaves_out_menu_sidebar_share_and_footer_text(chrome):
    post = _article("uz-custom-cms-article", f"{NAVOIY}2145/")
    assert chrome not in post["text"] and chrome not in post["html"]


def test_images_of_a_trafilatura_body_keep_alt_and_size_after_the_og_image():
    assert _article("uz-custom-cms-article", f"{NAVOIY}2145/")["media"] == [
        {"type": "image", "url": "https://navoiy-yoshlari.uz/upload/news/2023/03/kochat-katta.jpg"},
        {"type": "image", "url": "https://navoiy-yoshlari.uz/upload/news/2023/03/kochat-1.jpg",
         "alt": "Talabalar daryo bo‘yida ko‘chat o‘tqazmoqda", "width": 960, "height": 640}]


# --- listing pages -------------------------------------------------------------------------------

def test_a_bitrix_news_list_yields_each_article_once_without_section_or_other_site_links():
    links, _ = parse_listing(_page("ru-bitrix-news"), KAZAN)
    assert links == [f"{KAZAN}1532/", f"{KAZAN}1529/"]


def test_a_bitrix_next_page_is_the_pagen_link_to_page_two():
    _, next_page = parse_listing(_page("ru-bitrix-news"), KAZAN)
    assert next_page == f"{KAZAN}?PAGEN_1=2"


def test_the_last_bitrix_page_has_no_next_page():
    assert parse_listing(_page("ru-bitrix-news-page-2"), f"{KAZAN}?PAGEN_1=2") == ([f"{KAZAN}1517/"], None)


def test_a_tilda_feed_yields_the_post_links_around_its_titles():
    links, _ = parse_listing(_page("kk-tilda-jana"), f"{JASTAR}/jana")
    assert links == [TILDA_POST, f"{JASTAR}/tpost/b8e1cc02x1-almatyda-kitap-zhrmenkesi"]


def test_a_tilda_next_page_is_the_numbered_link_to_page_two():
    _, next_page = parse_listing(_page("kk-tilda-jana"), f"{JASTAR}/jana")
    assert next_page == f"{JASTAR}/jana?page=2"


def test_a_wordpress_listing_yields_entry_titles_but_not_sidebar_category_or_tag_links():
    links, _ = parse_listing(_page("az-wordpress-xeberler"), f"{KONULLU}/xeberler/")
    assert links == [f"{KONULLU}/xeberler/gencede-yasil-marafon/", f"{KONULLU}/xeberler/bakida-qan-donorlugu/"]


def test_a_wordpress_listing_without_rel_next_finds_its_next_page_in_the_pager():
    assert parse_listing(_page("az-wordpress-xeberler"), f"{KONULLU}/xeberler/")[1] == f"{KONULLU}/xeberler/page/2/"


def test_a_joomla_next_page_with_an_offset_url_is_the_pager_link_saying_next_in_armenian():
    assert parse_listing(_page("hy-joomla-norutyunner"), KAMAVOR)[1] == f"{KAMAVOR}?start=10"


def test_a_listing_in_unknown_markup_yields_the_links_under_its_own_path():
    links, _ = parse_listing(_page("hy-joomla-norutyunner"), KAMAVOR)
    assert links == [f"{KAMAVOR}/125-gyumri-gradaran", f"{KAMAVOR}/124-vanadzor-dzmer"]


def test_a_listing_in_unknown_markup_skips_itself_its_categories_tags_pager_and_other_sites():
    links, _ = parse_listing(_page("uz-custom-cms-yangiliklar"), NAVOIY)
    assert links == [f"{NAVOIY}2145/", f"{NAVOIY}2144/", f"{NAVOIY}2143/"]


def test_the_next_page_of_a_numbered_pager_is_the_link_to_the_following_number():
    pager = ('<div class="pages"><a href="/xeberler/">1</a> <span class="current">2</span> '
             '<a href="/xeberler/page/3/">3</a> <a href="/xeberler/page/4/">4</a></div>')
    assert parse_listing(pager, f"{KONULLU}/xeberler/page/2/")[1] == f"{KONULLU}/xeberler/page/3/"


def test_listing_selectors_override_the_heuristics():
    links, next_page = parse_listing(_page("uz-custom-cms-yangiliklar"), NAVOIY,
                                     {"link": ".item .name a", "next": ".pages a:last-child"})
    assert (links, next_page) == ([f"{NAVOIY}2145/", f"{NAVOIY}2144/", f"{NAVOIY}2143/"], f"{NAVOIY}?page=12")


# --- a whole crawl -------------------------------------------------------------------------------

NEWS = "/press-center/news/"


@pytest.fixture(scope="module")
def bitrix_crawl(tmp_path_factory):
    """One crawl of the Bitrix site served on 127.0.0.1: native id (path) -> stored post."""
    def saved(name: str) -> Recorded:
        return Recorded(200, _page(name).encode("utf-8"))

    routes = {"/robots.txt": Recorded(200, b"User-agent: *\nAllow: /\n", "text/plain"),
              NEWS: saved("ru-bitrix-news"), f"{NEWS}?PAGEN_1=2": saved("ru-bitrix-news-page-2"),
              **{f"{NEWS}{n}/": saved(f"ru-bitrix-article-{n}") for n in (1532, 1529, 1517)}}
    db_path = tmp_path_factory.mktemp("website") / "store.db"
    with RecordedServer(routes) as server:
        source = Source(id="dobro-kazan-web", name="Добровольцы Казани", organization="РЦД Казани", country="RU",
                        platform="website", url=f"{server.base_url}{NEWS}")
        crawl([source], db_path)
    db = open_store(db_path)
    posts = {p.native_id.removeprefix(server.base_url): p for p in iter_posts(db)}
    db.close()
    return posts


def test_a_crawl_follows_the_listing_pager_to_every_article(bitrix_crawl):
    assert set(bitrix_crawl) == {f"{NEWS}1532/", f"{NEWS}1529/", f"{NEWS}1517/"}


def test_crawled_articles_keep_the_dates_written_on_their_pages(bitrix_crawl):
    assert {path: post.published for path, post in bitrix_crawl.items()} == {
        f"{NEWS}1532/": datetime(2022, 2, 28, 22, 8, tzinfo=UTC),
        f"{NEWS}1529/": datetime(2022, 2, 24, 16, 40, tzinfo=UTC),
        f"{NEWS}1517/": datetime(2020, 5, 15, tzinfo=UTC)}


def test_relative_links_in_an_article_point_to_the_source_site_not_ours():
    from crawler.spiders.website import parse_article

    page = ('<html lang="ru"><head><meta property="article:published_time" content="2020-05-15T10:00:00+03:00">'
            '</head><body><article><h1>Акция</h1><p>Подробнее <a href="/tag/WeAreTogether">#WeAreTogether</a> и '
            '<a href="report.pdf">отчёт</a>; <img src="/media/photo.jpg" alt="Волонтёры"></p>'
            '<p>Волонтёры привезли продукты пожилым людям в трёх районах города.</p></article></body></html>')
    post = parse_article(page, "https://rsm.example/news/2020/akciya/", "ru-rsm-web")
    assert 'href="https://rsm.example/tag/WeAreTogether"' in post["html"]
    assert 'href="https://rsm.example/news/2020/akciya/report.pdf"' in post["html"]
