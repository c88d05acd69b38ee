"""Letters, words and endings that tell apart Cyrillic languages the n-gram model confuses.

``aggregator.language`` asks for them only when the model's best languages (after the letter
vetoes) include such a pair: Russian and one of its neighbours, or Kazakh and Kyrgyz. Each cue comes
from the alphabets and grammars, not from measured sentences: a letter one language never writes, a
function word the other lacks, an ending only one of them inflects with. Each function returns the
evidence for the first language over the second (negative: for the second), a letter counting 2
and a word or an ending 1; ``aggregator.language`` adds it, weighted, to the model's margin.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cached_property, lru_cache

WORD = re.compile(r"\w+(?:-\w+)*")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _endings(*groups: tuple[int, str]) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """(shortest word, suffixes) groups for ``Cues.count_endings``."""
    return tuple((shortest, tuple(suffixes.split())) for shortest, suffixes in groups)


# --- Russian and Bulgarian --------------------------------------------------------------------
# Letters: Bulgarian has no ы, э, ё, and writes ь only before о (шофьор, синьо); Russian writes ъ
# only after a prefix before е, ё, ю, я (подъезд, объявил), Bulgarian before any consonant and in
# its commonest words (във, със, към, път, съм).
RU_LETTERS = re.compile(r"[ыэё]|ь(?!о)")
BG_LETTERS = re.compile(r"ъ(?![еёюя])")
# Russian keeps the doubled consonants of loanwords (группа, грипп, класс, программа, хоккей);
# Bulgarian writes them single (група, грип, клас, програма, хокей) and doubles only н, т, д, з, ж
# where a prefix or suffix meets a stem (оттук, поддръжка, именно). One each.
RU_DOUBLED = re.compile(r"([бвгклмпрсфхцчш])\1")

# Function words (and numerals, months) one of the two has and the other lacks.
RU_WORDS = _words("""
что чтобы это этот эта эти этом этого этой его её ее ему ей ним ней них их был была было были
будет будут будем для уже только если мы вы они она он так также тоже ещё еще когда тогда к о об
через очень который которая которое которые которых которой котором где сейчас сегодня теперь
потом всегда можно нужно надо хорошо тут здесь есть нет год года году лет дети детей люди людей
человек со во ко у же даже чем весь всего всех всем вся всё меня мне тебя себя нам вам один одна
одно одного одной вместе перед про снова сразу пока каждый каждая каждое каждую каждого каждом
наших нашей нашем нашим нашу своих своей своим свою время город городе из-за из-под наконец тем том
ребята двести сорок девяносто миллион января февраля марта апреля июня июля августа сентября
октября ноября декабря январе феврале марте апреле мае июне июле августе сентябре октябре ноябре
декабре
""")
BG_WORDS = _words("""
е са съм си сме сте ще се ги го му ме ми ви ѝ й това тази този тези онзи онази онова които която
който което беше бяха бях бил била било били през след всички всеки всяка всяко някои някой
никой тук днес утре вече най където защото нито когато кога докато ако сега също има няма имаше
нямаше трябва нещо нищо хора хората деца децата години какво какъв каква какви къде ние вие тя
той тях нея чрез според срещу освен заради вкъщи заедно един една едно малко добре отново
веднага винаги само обаче да искам иска може мога каза нашия нашата нашите моята моите своите
четири пет шест седем осем девет десет двадесет тридесет петдесет шестдесет двеста триста хиляда
хиляди милион януари февруари април юни юли септември октомври ноември декември
""")
# Endings. Russian: reflexive verbs -ся/-сь (Bulgarian writes се apart); -у/-ю at a word's end
# (cases and first person; Bulgarian words hardly end so); adjectives -ий/-ой/-ое/-ее/-ого/-ему/
# -ую/-ая; cases -ом/-ем/-ов/-ев/-ии/-ами/-ями/-ими; plural adjectives -кие/-гие/-хие/-ких/-гих/-хих;
# past plural -или; present -ают/-яют/-еют/-ует/-уют/-тся; verbs in -овать (-овал, -ован).
RU_ENDINGS = _endings(
    (3, "ся сь ого ему ому ую юю кие гие хие ких гих хих ают яют еют тся ует уют овал овала овало овали овать "
        "ован овала ована овано ованы"),
    (3, "у ю ий ии или"),
    (5, "ая яя ой ей ое ее ом ем ов ев ами ями ими"))
# Words of Bulgarian (or of both) that end like that: много, него, герой, музей, края, меню, играя.
NOT_RU_ENDINGS = _words("""много немного него кого строго герой покой прибой завой конвой двубой строй
отбой музей хокей лакей жокей андрей края чая мая играя желая мечтая сияя меню интервю бижу кенгуру
атом какао радио студио срещу между""")
# Bulgarian: definite articles -ът/-ата/-ото/-ето/-ите/-ият/-ията/-ието/-ския; aorist -аха/-яха/
# -иха/-оха/-хме/-хте; plurals -ове; short adjectives -ален/-ичен/-ивен (Russian -альный, -ичный);
# verbs in -ува (Russian -ова-, -ует); verbal nouns -ване/-иране/-яне.
BG_ENDINGS = _endings(
    (3, "ът ият ията ието ския хме хте аха яха иха оха ване иране яне ува увам уваш уваме увате уват "
        "увал увалаували увало уване увах уваха ален ичен ивен"),
    (5, "ове"),
    (6, "ата ото ето ите"))
# Cases: after в, на, о, при Russian puts a noun in the prepositional (-е) or accusative (-у, -ю),
# never in a bare -а/-я, which is how Bulgarian, without cases, writes most nouns there (в двора, на
# пазара, при баба). Numbers and time words after a preposition are left out (на два, на время).
RU_CASE_PREPOSITIONS = _words("в во на о об при")
RU_ACCUSATIVE_PREPOSITIONS = _words("в во на о об при по к ко")
BG_CASELESS_PREPOSITIONS = _words("в във на при")
NOT_CASELESS = _words("завтра сегодня вчера полчаса полтора время имя племя знамя")
# Bulgarian neuter nouns in -е after a preposition (по време на, по море, на поле).
NOT_PREPOSITIONAL = _words("време море поле сърце училище")
# Past tense: Russian -л/-ла on its own (опоздал, победила); Bulgarian has the form only as a
# participle after an auxiliary (е работил, са дошли), which counts for Bulgarian already, so a
# participle right after one does not count. Nouns ending so (квартал, хотел) do not either.
RU_PAST = ("ал", "ел", "ил", "ыл", "ул", "ял", "ала", "ела", "ила", "ыла", "ула", "яла", "шла", "шло")
BG_AUXILIARIES = _words("е са съм си сме сте ще бил била било били бях беше бяха")
NOT_PAST = _words("""квартал терминал канал финал сигнал журнал портал капитал идеал скандал генерал
интервал минерал арсенал ритуал материал персонал фестивал хотел модел тунел автомобил профил стил мобил
апостол сила могила жила зала скала хвала""")

# --- Russian and its other neighbours ---------------------------------------------------------
# Letters each writes and Russian does not (Ukrainian і ї є ґ, Belarusian і ў, the Turkic letters,
# Tajik ӣ ӯ ҳ ҷ, Mongolian ө ү) and the letters Russian writes and it does not (Ukrainian has no ы
# э ё ъ, Belarusian no и щ ъ, Uzbek no ы щ, Tajik no ы щ ь ц).
OWN_LETTERS = {"uk": "іїєґ", "be": "іў", "kk": "әғқңөұүһі", "ky": "ңөү", "uz": "ўқғҳ", "tg": "ғӣқӯҳҷ",
               "mn": "өү"}
NOT_WRITTEN = {"uk": "ыэёъ", "be": "ищъ", "uz": "ыщ", "tg": "ыщьц"}
OWN_PATTERNS = {lang: re.compile(f"[{letters}]") for lang, letters in OWN_LETTERS.items()}
RUSSIAN_PATTERNS = {lang: re.compile(f"[{letters}]") for lang, letters in NOT_WRITTEN.items()}
# An apostrophe inside a Cyrillic word (м'ясо, сім'я, п'ять) is Ukrainian or Belarusian.
APOSTROPHE_IN_WORD = re.compile(r"(?<=[а-яіїєґў])['ʼ’](?=[а-яіїєґў])")
# Ukrainian and Belarusian double consonants of their own (життя, знання, жыццё, вяселле) but, like
# Bulgarian, write loanwords single (група, програма).
SLAVIC_DOUBLED = re.compile(r"([бгкмпрф])\1")
# Russian words the East Slavic neighbours spell otherwise (і/й, що, як, з, від, але, або, коли;
# і, што, з, ад, але, калі, дзе, ён).
RU_NOT_EAST_SLAVIC = _words("и с со к во из от что как его он она они меня уже когда где тоже ещё еще если "
                            "или но нет будет теперь сейчас сегодня вчера очень только всегда здесь потом после "
                            "вместе снова опять почти кто почему который которая которое которые время дети "
                            "город работа лет")
EAST_SLAVIC_WORDS = {
    "uk": _words("і й що це як з із від або але бо вже дуже коли де який яка яке які цей ця ці вони він "
                 "вона воно ми ви його її був була було були буде є також щоб зараз теж мене та"),
    "be": _words("і ў што гэта як з ад але ці калі дзе ён яна яно яны яго мяне ужо вельмі таксама будзе"),
}
# Endings Russian has and they have not: past tense -л (Ukrainian -в, Belarusian -ў), present -ет/-ют
# after a vowel (Ukrainian -є/-ють, Belarusian -е/-юць), nouns -ние/-тие (Ukrainian -ння/-ття,
# Belarusian -нне/-ццё), reflexive -сь after a vowel (Belarusian -ся); against Ukrainian only,
# adjectives -ая/-яя/-ое/-ее/-ие (Ukrainian -а, -я, -е, -є, -і) and nouns -ия/-ии/-ию (Ukrainian
# -ія/-ії/-ію: історія, станції).
RU_NOT_EAST_SLAVIC_ENDINGS = _endings(
    (3, "ал ел ил ол ул ыл ял ает еет иет оет ует яет ают еют иют оют уют яют ние тие ась есь ись "
        "ось усь ысь юсь ясь"))
RU_NOT_UKRAINIAN_ENDINGS = _endings((4, "ая яя ое ее ие ия ии ию"))
# Genitive plural -ов/-ев (Ukrainian -ів, Belarusian -аў); after в, на, о, при the prepositional -е
# (Ukrainian -і: у дворі, на площі).
RU_GENITIVE_PLURAL = _endings((5, "ов ев"))
# Theirs: Ukrainian infinitives -ти and instrumental -ою (Russian -ть, -ой); Belarusian infinitives
# -ць, and дз for Russian д (будзе, дзе).
OWN_ENDINGS = {"uk": _endings((4, "ити ати яти ою")), "be": _endings((3, "ць"))}
NOT_OWN_ENDINGS = _words("кстати мною тобою собою")
BELARUSIAN_DZ = re.compile(r"дз[еяіюё]")
# Russian prepositions and conjunctions: words that Turkic, Tajik and Mongolian text does not have
# (Uzbek у 'he', Tajik на 'not', Kazakh не 'what' and да 'also' are left out), and Russian endings.
RU_NOT_ASIAN = _words("в во с со к ко и о об от из для при без под над через что это как его был была "
                      "было были уже очень когда где если или но по за до из-за из-под")
RU_NOT_ASIAN_ENDINGS = _endings((3, "ся сь ого ему ому ую ться тся ают яют овал овала овало овали овать"))
# Theirs: the Turkic plural -лар/-дар/-тар and its case forms, Uzbek genitive -нинг, possessive -си,
# locative -ида; Uzbek words without Uzbek letters (ва, билан, учун, янги).
TURKIC_PLURAL = _endings((5, "лар дар тар лары дары тары лари ларни ларга ларда нинг"), (6, "ида"), (7, "си"))
NOT_TURKIC_PLURAL = _words("доллар гектар нектар удар кулинар пирамида обида панихида")
UZBEK_WORDS = _words("ва билан учун янги бу бир эди энг жуда катта")

# --- Kazakh and Kyrgyz ------------------------------------------------------------------------
KAZAKH_LETTERS = re.compile(r"[әғқұһі]")
# Kyrgyz: long vowels; genitive -нын/-дин/-нун/-дүн (Kazakh -ның/-дің); labial harmony in suffixes
# (болуп, болду, көрдү: Kazakh болып, болды, көрді); agent nouns -чу/-чү (Kazakh -шы/-ші).
KYRGYZ_SIGNS = re.compile(r"оо|ээ|уу|үү|өө|(?:н|д|т)(?:ун|үн)\b|(?:н|д)(?:ын|ин)\b|\w\w(?:уп|үп|ду|дү|тү|чу|чү)\b")
# Words the two write otherwise: Kyrgyz ш for Kazakh с (беш/бес, жаш/жас, баш/бас, таш/тас), ч for
# ш (үчүн/үшін, чейин/дейін), менен/мен, жана/және, жыйырма/жиырма.
KYRGYZ_WORDS = _words("беш жаш жаштар жашы жашта баш башка таш кыш жыйырма үчүн чейин менен жана чоң мага сага")
KAZAKH_WORDS = _words("бес жас жастар жасы жаста бас басқа тас қыс жиырма үшін дейін және")
# Kazakh: genitive -ның/-дің/-тың; instrumental -мен/-бен/-пен written onto the word (Kyrgyz менен apart).
KAZAKH_SIGNS = re.compile(r"(?:н|д|т)(?:ың|ің)\b|\w\w\w(?:мен|бен|пен)\b")
# A word's first е is э in Kyrgyz (эл, эки, эмес; Kazakh ел, екі, емес), between these two only.
KAZAKH_INITIAL_E, KYRGYZ_INITIAL_E = re.compile(r"\bе"), re.compile(r"\bэ")


# --- Azerbaijani and Turkish ------------------------------------------------------------------
# Turkish never writes ə, q, x (aggregator.language rules it out on one); without them, words the
# two spell otherwise: Azerbaijani üçün, kimi, deyil, il, iyirmi, kiçik, indi, hansı against Turkish
# için, gibi, değil, ile, ve, yıl, yirmi, küçük, şimdi, hangi, çok, yok; Turkish present -yor,
# infinitive -mak/-mek, future -acak/-ecek and a back vowel + k at a word's end (çocuk, bayrak),
# where Azerbaijani writes q (uşaq, bayraq, -maq, -acaq).
AZ_WORDS = _words("üçün kimi deyil il ildir iyirmi kiçik indi hansı amma çünki belə")
TR_WORDS = _words("için gibi değil ile ve yıl yıldır yirmi küçük şimdi hangi ama çünkü bile çok yok ben sen ne "
                  "kadar olarak veya")
TR_ENDINGS = re.compile(r"\w(?:yor|yorum|yoruz|yorlar|yordu|mak|mek|acak|ecek)\b|\w[aıou]k\b")
NOT_TR_ENDINGS = _words("kubok blok")
# Agent nouns: Azerbaijani -çı/-çi after a vowel or voiced consonant too (oyunçu, yolçu), Turkish
# -cı/-ci there (oyuncu, yolcu).
AZ_AGENT = re.compile(r"(?<=[aeıioöuüəlmnrvyz])ç[ıiuü](?:lar|lər|ları|ləri)?\b")
NOT_AZ_AGENT = _words("içi saçı")


# --- Looking the cues up ----------------------------------------------------------------------
# The ending groups above, with the words each must not count; a word's groups are found once.
ENDING_GROUPS = ((RU_ENDINGS, NOT_RU_ENDINGS), (BG_ENDINGS, frozenset()), (RU_NOT_EAST_SLAVIC_ENDINGS, frozenset()),
                 (RU_GENITIVE_PLURAL, _words("любов кров церков")), (TURKIC_PLURAL, NOT_TURKIC_PLURAL),
                 (RU_NOT_UKRAINIAN_ENDINGS, frozenset()), (OWN_ENDINGS["uk"], NOT_OWN_ENDINGS),
                 (OWN_ENDINGS["be"], frozenset()), (RU_NOT_ASIAN_ENDINGS, frozenset()))
GROUP = {id(groups): bit for bit, (groups, _) in enumerate(ENDING_GROUPS)}


@lru_cache(maxsize=1 << 16)
def _ending_bits(word: str) -> int:
    """Which ENDING_GROUPS a word (the last part of a hyphenated one) ends in, one bit each."""
    word = word.rpartition("-")[2]
    bits = 0
    for bit, (groups, exceptions) in enumerate(ENDING_GROUPS):
        if word not in exceptions and any(len(word) >= shortest and word.endswith(suffixes)
                                          for shortest, suffixes in groups):
            bits |= 1 << bit
    return bits


class Cues:
    """The cues of one lower-case text; its words are split once for every comparison."""

    def __init__(self, lower: str):
        self.lower = lower

    @cached_property
    def words(self) -> list[str]:
        return WORD.findall(self.lower)

    @cached_property
    def ending_bits(self) -> Counter:
        return Counter(map(_ending_bits, self.words))

    def count_words(self, vocabulary: frozenset[str]) -> int:
        return sum(1 for word in self.words if word in vocabulary)

    def count_endings(self, groups) -> int:
        """Words ending in one of the suffixes of ``groups`` (one of ENDING_GROUPS)."""
        mask = 1 << GROUP[id(groups)]
        return sum(n for bits, n in self.ending_bits.items() if bits & mask)

    @cached_property
    def prepositional_e(self) -> int:
        words = self.words
        return sum(1 for preposition, word in zip(words, words[1:])
                   if preposition in RU_CASE_PREPOSITIONS and len(word) >= 3 and word[-1] == "е" and word[-2] != "т")

    @cached_property
    def russian_doubled(self) -> int:
        return len(RU_DOUBLED.findall(self.lower))

    def russian_against_bulgarian(self) -> int:
        lower = self.lower
        evidence = 2 * len(RU_LETTERS.findall(lower)) - 2 * len(BG_LETTERS.findall(lower))
        if abs(evidence) >= 6:  # three letters more of one kind: words and endings would not outweigh them
            return evidence
        evidence += self.count_words(RU_WORDS) - self.count_words(BG_WORDS) + self.russian_doubled
        evidence += self.count_endings(RU_ENDINGS) - self.count_endings(BG_ENDINGS)
        words = self.words
        for before, word in zip([""] + words, words):
            if len(word) >= 4 and word.endswith(RU_PAST) and before not in BG_AUXILIARIES and word not in NOT_PAST:
                evidence += 1
        for preposition, word in zip(words, words[1:]):
            if preposition in RU_CASE_PREPOSITIONS and len(word) >= 4 and word.endswith(("ах", "ях")):
                evidence += 1  # prepositional plural (на дорогах); Bulgarian -ах is a verb's aorist
            elif (preposition in RU_CASE_PREPOSITIONS or preposition == "по") and len(word) >= 3 and word[-1] == "е" \
                    and word[-2] != "т" and word not in NOT_PREPOSITIONAL:
                evidence += 1
            elif preposition in RU_ACCUSATIVE_PREPOSITIONS and len(word) >= 3 and word[-1] in "ую":
                evidence += 1
            elif (preposition in BG_CASELESS_PREPOSITIONS and len(word) >= 4 and word[-1] in "ая"
                  and word not in NOT_CASELESS):
                evidence -= 1
        for word in words:  # comparatives: по-голям, най-добър (Russian по-русски, по-новому excepted)
            if word.startswith("най-") or (word.startswith("по-") and not word.endswith(("ски", "ому", "ему"))):
                evidence -= 1
        return evidence

    def russian_against(self, other: str) -> int:
        """Evidence for Russian over ``other`` (uk be kk ky uz tg mn)."""
        lower = self.lower
        evidence = -2 * len(OWN_PATTERNS[other].findall(lower))
        if other in RUSSIAN_PATTERNS:
            evidence += 2 * len(RUSSIAN_PATTERNS[other].findall(lower))
        if abs(evidence) >= 6:  # as for Bulgarian: three letters more of one kind decide
            return evidence
        if other in EAST_SLAVIC_WORDS:
            evidence += len(SLAVIC_DOUBLED.findall(lower))
            if "'" in lower or "ʼ" in lower or "’" in lower:
                evidence -= 2 * len(APOSTROPHE_IN_WORD.findall(lower))
            evidence += self.count_words(RU_NOT_EAST_SLAVIC) - self.count_words(EAST_SLAVIC_WORDS[other])
            evidence += self.count_endings(RU_NOT_EAST_SLAVIC_ENDINGS)
            evidence -= self.count_endings(OWN_ENDINGS[other])
            evidence += self.count_endings(RU_GENITIVE_PLURAL)
            if other == "uk":
                evidence += self.count_endings(RU_NOT_UKRAINIAN_ENDINGS) + self.prepositional_e
            else:
                evidence -= len(BELARUSIAN_DZ.findall(lower))
            return evidence
        evidence += self.russian_doubled + self.count_words(RU_NOT_ASIAN) + self.count_endings(RU_NOT_ASIAN_ENDINGS)
        if other in ("kk", "ky", "uz"):
            evidence -= self.count_endings(TURKIC_PLURAL)
        if other == "uz":
            evidence -= self.count_words(UZBEK_WORDS)
        if other == "ky":
            evidence -= len(KYRGYZ_SIGNS.findall(lower)) + self.count_words(KYRGYZ_WORDS)
        elif other == "kk":
            evidence -= len(KAZAKH_SIGNS.findall(lower)) + self.count_words(KAZAKH_WORDS)
        return evidence

    def kazakh_against_kyrgyz(self) -> int:
        """Kazakh letters and genitive endings against Kyrgyz long vowels and genitive endings."""
        lower = self.lower
        kazakh = len(KAZAKH_LETTERS.findall(lower)) + len(KAZAKH_SIGNS.findall(lower)) + self.count_words(KAZAKH_WORDS)
        kyrgyz = len(KYRGYZ_SIGNS.findall(lower)) + self.count_words(KYRGYZ_WORDS)
        return kazakh + len(KAZAKH_INITIAL_E.findall(lower)) - kyrgyz - len(KYRGYZ_INITIAL_E.findall(lower))

    def azerbaijani_against_turkish(self) -> int:
        """Azerbaijani words and agent nouns against Turkish words and endings."""
        turkish = sum(1 for word in TR_ENDINGS.findall(self.lower) if word not in NOT_TR_ENDINGS)
        azerbaijani = self.count_words(AZ_WORDS) + sum(
            1 for word in self.words if "ç" in word and word not in NOT_AZ_AGENT and AZ_AGENT.search(word))
        return azerbaijani - self.count_words(TR_WORDS) - turkish
