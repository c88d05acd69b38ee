"""aggregator.language_cues: the letters, words and endings that settle Russian against its
Cyrillic neighbours, and the fast paths of aggregator.language (phrases written for these tests)."""

from __future__ import annotations

import pytest

from aggregator import language
from aggregator.language import clean_text, detect_language
from aggregator.language_cues import Cues


@pytest.mark.parametrize("text", [
    "Приходите к нам на субботник",
    "Спасибо всем за помощь",
    "вернулась домой после смены",
    "Завтра в парке пройдет концерт",
    "Дети собирали подарки для соседей",
    "в городе открыли новый каток",
    "на площади собрались студенты",
    "поздравляем победителей конкурса",
])
def test_a_few_russian_words_without_telling_letters_are_russian(text):
    assert detect_language(text) == "ru"


@pytest.mark.parametrize("text", [
    "Ще има концерт в парка",
    "Децата са на училище",
    "Доброволците раздадоха храна",
    "Утре ще вали сняг",
    "Книгата е на масата",
    "нашия отбор спечели мача",
    "Учителят ни показа музея",
    "при баба на село",
])
def test_a_few_bulgarian_words_are_not_taken_for_russian(text):
    assert detect_language(text) == "bg"


def test_cases_after_prepositions_count_for_russian_and_caseless_nouns_for_bulgarian():
    assert Cues("в школе и на работе").russian_against_bulgarian() > 0
    assert Cues("в двора и на пазара").russian_against_bulgarian() < 0


def test_russian_only_and_bulgarian_only_letters_outweigh_the_rest():
    assert Cues("мы были в этом городе").russian_against_bulgarian() >= 6
    assert Cues("във всеки ъгъл на пътя").russian_against_bulgarian() <= -6


def test_a_bulgarian_participle_after_its_auxiliary_is_not_russian_past_tense():
    russian = Cues("брат опоздал").russian_against_bulgarian()
    bulgarian = Cues("брат е опоздал").russian_against_bulgarian()
    assert russian > 0 and bulgarian < russian


def test_doubled_consonants_of_loanwords_count_for_russian():
    assert Cues("группа программа").russian_against_bulgarian() > Cues("група програма").russian_against_bulgarian()


def test_ukrainian_apostrophe_and_infinitive_count_against_russian():
    assert Cues("м'ясо треба купити").russian_against("uk") < 0
    assert Cues("как это было").russian_against("uk") > 0


def test_belarusian_letters_and_endings_count_against_russian():
    assert Cues("ён будзе рабіць").russian_against("be") < 0
    assert Cues("и еще что-то").russian_against("be") > 0


def test_russian_prepositions_count_against_the_asian_languages():
    assert Cues("в школу и на работу").russian_against("ky") > 0
    assert Cues("балдар мектепке барышты жана окуушту").russian_against("ky") < 0


def test_kazakh_letters_and_kyrgyz_long_vowels_settle_kazakh_against_kyrgyz():
    assert Cues("қазақ тілінің").kazakh_against_kyrgyz() > 0
    assert Cues("окуучулар жолдо").kazakh_against_kyrgyz() < 0


@pytest.mark.parametrize("text", [
    "Волонтёры помогли", "Volunteers helped", "Könüllülər kömək etdi", "Oʻzbekiston yoshlari gʻalaba",
    "Ерiктiлер көмектестi", "Կամավորները օգնեցին", "स्वयंसेवकों ने मदद की", "mixed Текст with Ə and ʼ",
    "Ѐ ѓ Ԁ ԛ", "Ωμέγα and 日本語",
])
def test_letters_per_script_counted_bytewise_agree_with_the_script_patterns(text):
    cleaned = clean_text(text)
    expected = {script: len(pattern.findall(cleaned)) for script, pattern in language.SCRIPTS.items()}
    expected["Other"] = len(language.LETTER.findall(cleaned)) - sum(expected.values())
    assert language._script_counts(cleaned) == {script: n for script, n in expected.items() if n > 0}


@pytest.mark.parametrize("text", [
    "Волонтёры Курского медуниверситета доставили лекарства",
    "Еріктілер қарт адамдарға көмектесті",
    "Ош шаарынын жаштары телевизор алып беришти",
    "Yoshlar ittifoqi faollari yordam berishdi",
    "Youth organizations presented their projects",
])
def test_the_model_scores_rank_languages_as_py3langid_does(text):
    ours = language._scorer()(text)
    theirs = language._identifier().rank(text)
    assert max(ours, key=ours.get) == theirs[0][0]
    assert ours[theirs[0][0]] == pytest.approx(theirs[0][1], rel=1e-3)


def test_cleaning_without_urls_or_tags_takes_the_same_result_from_the_cheaper_pass():
    text = "Спасибо, друзья! «Мы вместе» — 2020 год… ✨"
    assert clean_text(text) == " ".join(language.NOT_TEXT.sub(" ", text).split()) == "Спасибо друзья Мы вместе 2020 год"


def test_kyrgyz_sh_for_kazakh_s_and_labial_harmony_settle_kazakh_against_kyrgyz():
    assert Cues("беш жашымда").kazakh_against_kyrgyz() < 0
    assert Cues("балдар окуп жатышат").kazakh_against_kyrgyz() < 0
    assert Cues("медальдармен оралды").kazakh_against_kyrgyz() > 0
    assert detect_language("беш жашымда") == "ky"
    assert detect_language("бес жасымда") == "kk"


def test_azerbaijani_without_its_own_letters_is_told_from_turkish_by_words_and_endings():
    assert Cues("bu il iyirmi oyunçu").azerbaijani_against_turkish() > 0
    assert Cues("bu yıl yirmi oyuncu geliyor").azerbaijani_against_turkish() < 0
    assert detect_language("Kiçik oyunçular") == "az"
    assert detect_language("Bu il iyirmi könüllü") == "az"
    assert detect_language("Bu yıl yirmi gönüllü geliyor") == "tr"


def test_a_few_armenian_or_devanagari_letters_are_enough_since_the_script_names_the_language():
    assert detect_language("Բարև ձեզ") == "hy"
    assert detect_language("कर रही है।") == "hi"
    assert detect_language("है") is None
    assert detect_language("ok 👍") is None
