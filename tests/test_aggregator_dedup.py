"""Duplicates: one story on a website, Telegram and VK is shown once; the other copies point at it."""

from aggregator.dedup import canonical_url, group_duplicates

TEXT = "Еріктілер қарт адамдарға азық-түлік жеткізіп берді, барлығына рахмет!"

ARTICLE = (
    "Волонтёры-медики Курского государственного медицинского университета за неделю доставили лекарства "
    "214 пожилым курянам. Заявки поступают на горячую линию #МыВместе, а студенты получают рецепты "
    "в поликлиниках и привозят препараты на дом.\n\nКаждый доброволец проходит инструктаж, работает "
    "в маске и перчатках и оставляет пакет у двери. Если вам нужна помощь, звоните на горячую линию."
)
TEASER = (
    "💊 За неделю волонтёры-медики КГМУ доставили лекарства 214 пожилым курянам! Студенты получают рецепты "
    "в поликлиниках и привозят препараты на дом 🏠 Подробнее на сайте 👉 https://kursk-medvol.example/news/214 #мывместе"
)
LONG_ARTICLE = ARTICLE + "\n\n" + (
    "Штаб волонтёров-медиков работает в главном корпусе университета с восьми утра до десяти вечера. "
    "Координаторы распределяют заявки по районам города, чтобы один доброволец за смену успевал объехать "
    "пять-шесть адресов. Чаще всего просят привезти препараты от давления, инсулин и средства для ухода за "
    "лежачими больными.\n\nСтуденты старших курсов консультируют по телефону: объясняют, когда вызывать врача "
    "на дом, как измерять сатурацию и какие симптомы требуют немедленной госпитализации. Преподаватели кафедры "
    "поликлинической терапии проверяют ответы дежурных и помогают в сложных случаях.\n\nВ районных больницах "
    "области добровольцы помогают регистратурам: переписывают пациентов, разносят результаты анализов и "
    "встречают машины с гуманитарной помощью. Сельские жители благодарят ребят письмами и пирогами.\n\n"
    "Университет выдал всем участникам акции пропуска, транспортные карты и комплекты средств защиты. "
    "Ректор отметил, что опыт этой весны войдёт в программу практики будущих врачей и фармацевтов, а лучшие "
    "волонтёры получат рекомендации для поступления в ординатуру.\n\nК акции уже присоединились студенты "
    "колледжей, школьники старших классов и выпускники прошлых лет, которые работают в больницах Курска, "
    "Железногорска, Льгова и Обояни. Всех, кто хочет помочь, ждём на собеседовании в штабе по будням.\n\n"
    "Отдельная команда занимается донорством крови: вместе со станцией переливания ребята составили график "
    "выездных акций по факультетам и общежитиям. Первая суббота месяца стала днём донора, а очереди к "
    "мобильному пункту выстраиваются ещё до открытия.\n\nВечерами психологи университета проводят для "
    "добровольцев разборы трудных смен. Многие впервые столкнулись с одиночеством стариков, тяжёлыми "
    "диагнозами и усталостью, и такая поддержка помогает им не выгорать. Темы встреч предлагают сами "
    "студенты, а записи выкладываются в закрытый чат отделения.\n\nЛетом отделение планирует открыть "
    "медицинский лагерь для школьников из сельских районов. Будущие абитуриенты познакомятся с кафедрами, "
    "попробуют себя на симуляторах и узнают, как устроена работа скорой помощи и приёмного покоя."
)
OTHER_DELIVERY = (
    "🛒 В Рыльске волонтёры-медики за неделю доставили продукты 86 пожилым жителям района! Студенты "
    "закупают продукты по списку и привозят на дом 🏠 #МыВместе"
)


def post(pid, url, text=TEXT, platform="telegram", day="2020-04-02T10:00:00Z", source=None):
    return {"id": pid, "url": url, "text": text, "platform": platform, "published_utc": day,
            "source_id": source or f"{platform}-source"}


def test_tracking_parameters_and_trailing_slashes_do_not_make_a_new_url():
    assert canonical_url("https://WWW.Example.org/news/1/?utm_source=tg&id=3#top") == "https://example.org/news/1?id=3"


def test_the_same_url_crawled_twice_is_one_post():
    posts = [post("a", "https://example.org/news/1", "Первая версия текста новости о волонтёрах и их работе."),
             post("b", "https://www.example.org/news/1/?utm_source=vk", "Исправленная версия текста новости о волонтёрах.",
                  day="2020-04-03T10:00:00Z")]
    assert group_duplicates(posts) == {"b": "a"}


def test_the_same_words_with_other_emoji_and_hashtags_are_one_story_shown_from_the_website():
    posts = [post("tg", "http://127.0.0.1/s/x/5", "🔥 " + TEXT + " #BIRGEMIZ"),
             post("web", "http://127.0.0.1/news/a/", TEXT, platform="website")]
    assert group_duplicates(posts) == {"tg": "web"}


def test_different_stories_are_not_grouped():
    posts = [post("a", "http://127.0.0.1/1"),
             post("b", "http://127.0.0.1/2", "Волонтёры провели тренинг для студентов медицинского университета.",
                  platform="website")]
    assert group_duplicates(posts) == {}


def test_a_trimmed_cross_post_with_emoji_and_another_link_is_grouped_under_the_article():
    posts = [post("web", "https://kursk-medvol.example/news/214", ARTICLE, platform="website"),
             post("tg", "https://t.me/kursk_medvol/881", TEASER, day="2020-04-02T10:25:00Z")]
    assert group_duplicates(posts) == {"tg": "web"}


def test_a_look_alike_post_about_another_delivery_the_same_day_is_not_grouped():
    posts = [post("web", "https://kursk-medvol.example/news/214", ARTICLE, platform="website"),
             post("tg", "https://t.me/kursk_medvol/882", OTHER_DELIVERY, day="2020-04-02T16:00:00Z")]
    assert group_duplicates(posts) == {}


def test_a_report_in_the_same_words_with_other_numbers_and_places_is_not_grouped():
    lenin = ("Волонтёры Курского отделения за неделю доставили продуктовые наборы 120 семьям в Ленинском округе. "
             "Наборы собраны на средства местных предпринимателей, спасибо им за поддержку!")
    seim = ("🧺 За неделю волонтёры Курского отделения доставили продуктовые наборы 75 семьям в Сеймском округе! "
            "Наборы собраны на средства местных предпринимателей, спасибо им за поддержку 🙏")
    posts = [post("web", "https://kursk-medvol.example/news/120", lenin, platform="website"),
             post("tg", "https://t.me/kursk_medvol/883", seim, day="2020-04-02T15:00:00Z")]
    assert group_duplicates(posts) == {}


def test_a_cross_post_published_weeks_later_is_not_grouped():
    posts = [post("web", "https://kursk-medvol.example/news/214", ARTICLE, platform="website"),
             post("tg", "https://t.me/kursk_medvol/990", TEASER, day="2020-05-02T10:00:00Z")]
    assert group_duplicates(posts) == {}


def test_the_website_copy_is_shown_even_when_the_telegram_copy_came_first_that_day():
    posts = [post("tg", "https://t.me/kursk_medvol/881", TEASER, day="2020-04-02T08:00:00Z"),
             post("web", "https://kursk-medvol.example/news/214", ARTICLE, platform="website", day="2020-04-02T12:00:00Z")]
    assert group_duplicates(posts) == {"tg": "web"}


def test_copies_on_website_telegram_and_vk_make_one_group():
    vk = ("Волонтёры-медики КГМУ за неделю доставили лекарства 214 пожилым курянам. Каждый доброволец работает "
          "в маске и перчатках и оставляет пакет у двери. Подробнее: https://kursk-medvol.example/news/214")
    posts = [post("web", "https://kursk-medvol.example/news/214", ARTICLE, platform="website"),
             post("tg", "https://t.me/kursk_medvol/881", TEASER, day="2020-04-02T10:25:00Z"),
             post("vk", "https://vk.com/wall-1_77", vk, platform="vk", day="2020-04-03T09:00:00Z")]
    assert group_duplicates(posts) == {"tg": "web", "vk": "web"}


def test_posts_under_six_words_are_never_grouped_as_near_duplicates():
    posts = [post("a", "https://t.me/a/1", "Спасибо всем волонтёрам акции! 🙏", platform="telegram"),
             post("b", "https://vk.com/wall-1_2", "Спасибо всем волонтёрам акции #МыВместе", platform="vk")]
    assert group_duplicates(posts) == {}


def test_an_uzbek_post_in_cyrillic_is_grouped_with_its_latin_original():
    latin = ("Chilonzor tumanida Yoshlar ittifoqi koʻngillilari 450 ta oilaga oziq-ovqat toʻplamlarini yetkazib berdi. "
             "Har bir toʻplamda un, guruch, yogʻ, shakar va choy bor. #SaxovatVaKomak")
    cyrillic = ("📦 Чилонзор туманида Ёшлар иттифоқи кўнгиллилари 450 та оилага озиқ-овқат тўпламларини етказиб берди! "
                "Ҳар бир тўпламда ун, гуруч, ёғ, шакар ва чой бор 🙏 #СаховатВаКўмак")
    posts = [post("web", "https://yoshlar.example/news/450", latin, platform="website"),
             post("tg", "https://t.me/yoshlar/12", cyrillic, day="2020-04-02T11:00:00Z")]
    assert group_duplicates(posts) == {"tg": "web"}


def test_two_posts_of_one_source_are_not_near_grouped():
    posts = [post("tg1", "https://t.me/kursk_medvol/881", TEASER, source="kursk-tg"),
             post("tg2", "https://t.me/kursk_medvol/885", TEASER.replace("💊", "📢") + " Ждём ваших заявок!",
                  day="2020-04-02T18:00:00Z", source="kursk-tg")]
    assert group_duplicates(posts) == {}


def test_a_one_sentence_teaser_of_a_long_article_is_grouped_under_it():
    teaser = ("💊 Волонтёры-медики Курского государственного медицинского университета за неделю доставили лекарства "
              "214 пожилым курянам! Подробнее на сайте 👉 https://kursk-medvol.example/news/214")
    posts = [post("web", "https://kursk-medvol.example/news/214", LONG_ARTICLE, platform="website"),
             post("tg", "https://t.me/kursk_medvol/881", teaser, day="2020-04-02T10:25:00Z")]
    assert group_duplicates(posts) == {"tg": "web"}
