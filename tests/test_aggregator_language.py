"""detect_language on sentences written for these tests (issue #5 measures it on a larger set)."""

from __future__ import annotations

import pytest

from aggregator.language import clean_text, detect_language, detect_languages

SENTENCES = [
    ("ru", "Волонтёры Курского медуниверситета доставили лекарства пожилым людям и приняли сотни звонков на горячую линию."),
    ("kk", "Еріктілер жалғыз тұратын қарт адамдарға азық-түлік пен дәрі-дәрмек жеткізіп берді."),
    ("ky", "Ош шаарынын жаштары интернети жок үй-бүлөлөргө телевизор жана телефон алып беришти."),
    ("uz", "Yoshlar ittifoqi faollari karantin kunlarida keksalarga oziq-ovqat yetkazib berishdi va ularga gʻamxoʻrlik qilishdi."),
    ("uz", "Саховат ва кўмак ҳаракати доирасида ишсиз қолган оилаларга озиқ-овқат тўпламлари етказиб берилди."),
    ("az", "Könüllülər Koordinasiya Mərkəzi on səkkiz gənclər təşkilatını bir araya gətirdi."),
    ("hy", "Կարմիր Խաչի երիտասարդ կամավորները սննդի փաթեթներ բաժանեցին միայնակ տարեցներին։"),
    ("hi", "युवाओं ने बालकनी में घंटियाँ बजाकर डॉक्टरों और पुलिसकर्मियों को धन्यवाद दिया।"),
    ("en", "Youth organizations of seven countries presented their volunteer projects during the online marathon."),
]


@pytest.mark.parametrize("expected, text", SENTENCES, ids=[f"{lang}-{i}" for i, (lang, _) in enumerate(SENTENCES)])
def test_each_language_of_the_campaigns_is_recognised(expected, text):
    assert detect_language(text) == expected


@pytest.mark.parametrize("expected, text", [
    ("uk", "Волонтери доставили ліки літнім людям і відповідали на дзвінки гарячої лінії."),
    ("tr", "Gönüllüler yaşlılara yiyecek ve ilaç dağıttı, herkese çok teşekkür ediyoruz."),
    ("tg", "Ҷавонони шаҳр ба оилаҳои камбизоат ёрӣ расониданд ва хӯрок тақсим карданд."),
    ("bg", "Доброволците раздадоха храна на възрастните хора в нашия квартал през седмицата."),
    ("be", "Валанцёры дапамаглі пажылым людзям і прывезлі ім прадукты на тыдзень."),
    ("mn", "Сайн дурынхан өндөр настай хүмүүст хоол хүнс хүргэж өгсөн байна."),
])
def test_neighbour_languages_are_not_taken_for_ours(expected, text):
    assert detect_language(text) == expected


def test_hashtags_in_another_script_do_not_decide_the_language():
    text = "Volunteers delivered food to elderly people in Kursk today. #МыВместе #Біргеміз #БизБиргебиз"
    assert detect_language(text) == "en"


def test_urls_mentions_and_emoji_are_stripped_before_deciding():
    assert clean_text("🙏 Спасибо @volunteer https://t.me/s/x #МыВместе!") == "Спасибо"


def test_text_too_short_to_call_gives_none():
    assert detect_language("ok 👍") is None
    assert detect_language("") is None


def test_a_mixed_post_gets_its_other_language_as_secondary():
    text = ("Волонтёры Национальной сети помогают в пунктах вакцинации Алматы и Шымкента каждый день.\n\n"
            "Еріктілер вакцинация пункттерінде азаматтарға көмек көрсетуде.")
    assert detect_languages(text) == ("ru", ["kk"])


def test_a_russian_slogan_quoted_in_uzbek_cyrillic_does_not_change_the_language():
    text = ("Беш йил олдин ҳаракатимиз «Мы Вместе Online» халқаро интернет-марафонида илк бор хорижлик "
            "ҳамкорларга тақдим этилган эди.")
    assert detect_language(text) == "uz"


def test_kyrgyz_long_vowels_tell_it_from_kazakh():
    assert detect_language("Балдар мектепте окуп жатышат, мугалимдер жакшы.") == "ky"


def test_the_platform_hint_decides_only_when_the_text_cannot():
    assert detect_languages("ok 👍", hint="kk") == ("kk", [])
    assert detect_languages("Volunteers delivered food to elderly people today.", hint="ru")[0] == "en"
