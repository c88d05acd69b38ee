"""Letters, words and endings that tell apart two languages the n-gram model confuses.

A tie-break is asked only when the model's two best languages (after the letter vetoes of
``aggregator.language``) are such a pair. Each cue comes from the grammars and alphabets, not from
the measured sentences: a letter one language never writes, a function word the other lacks, an
ending only one of them inflects with. Each function returns the evidence for the first language
over the second (negative: for the second), which ``aggregator.language`` adds to the model's
margin between them.
"""

from __future__ import annotations

import re

WORD = re.compile(r"\w+(?:-\w+)*")

# --- Russian and Bulgarian ------------------------------------------------------------------
# Letters: Bulgarian has no ы, э, ё, and writes ь only before о (шофьор, синьо); Russian writes ъ
# only after a prefix before е, ё, ю, я (подъезд, объявил), Bulgarian before any consonant and in
# its commonest words (във, със, към, път, съм). Each such letter counts twice.
RU_LETTERS = re.compile(r"[ыэё]|ь(?!о)")
# Russian keeps the doubled consonants of loanwords (группа, грипп, класс, программа, хоккей);
# Bulgarian writes them single (група, грип, клас, програма, хокей) and doubles only н, т, д, з, ж
# where a prefix or suffix meets a stem (оттук, поддръжка, именно). Each counts once.
RU_DOUBLED = re.compile(r"([бвгклмпрсфхцчш])\1")
BG_LETTERS = re.compile(r"ъ(?![еёюя])")

# Function words one of the two languages has and the other lacks.
RU_WORDS = frozenset("""
что чтобы это этот эта эти этом этого этой его её ее ему ей ним ней них их был была было были
будет будут будем для уже только если мы вы они она он так также тоже ещё еще когда тогда к о об
через очень который которая которое которые которых которой котором где сейчас сегодня теперь
потом всегда можно нужно надо хорошо тут здесь есть нет год года году лет дети детей люди людей
человек со во ко у же даже чем весь всего всех всем вся всё меня мне тебя себя нам вам один одна
одно одного одной вместе перед про снова сразу пока каждый каждая каждое каждую каждого каждом
наших нашей нашем нашим нашу своих своей своим свою время город городе из-за из-под наконец тем том
ребята
""".split())
BG_WORDS = frozenset("""
е са съм си сме сте ще се ги го му ме ми ви ѝ й това тази този тези онзи онази онова които която
който което беше бяха бях бил била било били през след всички всеки всяка всяко някои някой
никой тук днес утре вече най където защото нито когато кога докато ако сега също има няма имаше
нямаше трябва нещо нищо хора хората деца децата години какво какъв каква какви къде ние вие тя
той тях нея чрез според срещу освен заради вкъщи заедно един една едно малко добре отново
веднага винаги само обаче да искам иска може мога каза нашия нашата нашите моята моите своите
""".split())
# Endings, each from the grammars. Russian: reflexive verbs -ся/-сь (Bulgarian writes се apart),
# -у/-ю at a word's end (cases and first person; Bulgarian nouns and verbs hardly end so),
# adjectives -ий/-ый/-ой/-ое/-ее/-ого/-ему/-ую/-ая, cases -ом/-ем/-ов/-ев/-ии/-ами/-ями, plural
# adjectives -кие/-гие/-хие, past plural -или, present -ают/-яют/-еют/-тся.
# Bulgarian: definite articles -ът/-ата/-ото/-ето/-ите/-ия(т)/-ията/-ието, aorist -аха/-яха/-иха/
# -оха/-хме/-хте, plurals -ове, verbs in -ува (Russian -ова-, -ует), verbal nouns -ване/-иране/-яне, comparatives по-/най- (Russian по-русски, по-новому excepted).
RU_ENDINGS = re.compile(r"\b\w+(?:ся|сь|ого|ему|ому|ую|юю|кие|гие|хие|ают|яют|еют|тся|ует|уют)\b"
                        r"|\b\w+ова(?:л|ла|ло|ли|ть|н|на|но|ны)\b"
                        r"|\b\w\w+(?:у|ю|ий|ии|или)\b"
                        r"|\b\w{3,}(?:ая|яя|ой|ей|ое|ее|ом|ем|ов|ев|ами|ями)\b")
BG_ENDINGS = re.compile(r"\b\w+(?:ът|ият|ията|ието|ския|хме|хте|аха|яха|иха|оха|ване|иране|яне)\b"
                        r"|\b\w+ува(?:м|ш|ме|те|т|л|ла|ли|ло|не|х|ха)?\b|\b\w{2,}ове\b"
                        r"|\b\w{3,}(?:ата|ото|ето|ите)\b"
                        r"|\bнай-\w+|\bпо-\w+(?<!ски)(?<!ому)(?<!ему)\b")
# Words of the other language that end like these (много, него: Bulgarian too; герой, музей,
# края, меню, интервю: Bulgarian nouns; играя, желая: Bulgarian verbs).
# Cases: after в, на, о, при Russian puts a noun in the prepositional (-е) or accusative (-у, -ю)
# and never in a bare -а/-я, which is how Bulgarian, without cases, writes most nouns there (в
# двора, на пазара, при баба). Numbers and time words after them are left out (на два, на время).
RU_CASES = re.compile(r"\b(?:в|во|на|о|об|при)\s+\w{2,}(?<!т)е\b|\b(?:в|во|на|о|об|при|по|к|ко)\s+\w{2,}[ую]\b")
BG_CASELESS = re.compile(r"\b(?:в|във|на|при)\s+(\w{3,}[ая])\b")
NOT_CASELESS = frozenset("завтра сегодня вчера полчаса полтора время имя племя знамя".split())
NOT_RU_ENDINGS = frozenset("""много немного него кого строго герой покой прибой завой конвой двубой строй
отбой музей хокей лакей жокей андрей края чая мая играя желая мечтая сияя меню интервю бижу кенгуру
атом какао радио студио срещу между""".split())


def russian_against_bulgarian(lower: str) -> int:
    """Evidence for Russian over Bulgarian in lower-case text: positive for Russian, negative for
    Bulgarian, 0 when even; a letter only one of them writes counts 2, a word or an ending 1."""
    evidence = 2 * len(RU_LETTERS.findall(lower)) - 2 * len(BG_LETTERS.findall(lower))
    if abs(evidence) >= 6:  # three letters more of one kind: words and endings would not outweigh them
        return evidence
    words = WORD.findall(lower)
    evidence += sum(1 for word in words if word in RU_WORDS) - sum(1 for word in words if word in BG_WORDS)
    evidence += sum(1 for ending in RU_ENDINGS.findall(lower) if ending not in NOT_RU_ENDINGS)
    evidence += len(RU_DOUBLED.findall(lower)) + len(RU_CASES.findall(lower))
    evidence -= len(BG_ENDINGS.findall(lower))
    evidence -= sum(1 for word in BG_CASELESS.findall(lower) if word not in NOT_CASELESS)
    return evidence


# --- Russian and its other neighbours -------------------------------------------------------
# Letters each writes and Russian does not (Ukrainian і ї є ґ, Belarusian і ў, the Turkic letters,
# Tajik ӣ ӯ ҳ ҷ, Mongolian ө ү) and the letters Russian writes and it does not (Ukrainian has no ы
# э ё ъ, Belarusian no и щ ъ, Uzbek no ы щ, Tajik no ы щ ь ц).
OWN_LETTERS = {"uk": "іїєґ", "be": "іў", "kk": "әғқңөұүһі", "ky": "ңөү", "uz": "ўқғҳ", "tg": "ғӣқӯҳҷ",
               "mn": "өү"}
NOT_WRITTEN = {"uk": "ыэёъ", "be": "ищъ", "uz": "ыщ", "tg": "ыщьц"}
OWN_PATTERNS = {lang: re.compile(f"[{letters}]") for lang, letters in OWN_LETTERS.items()}
RUSSIAN_PATTERNS = {lang: re.compile(f"[{letters}]") for lang, letters in NOT_WRITTEN.items()}
# Russian words the East Slavic neighbours spell otherwise (і/й, що, як, з, від, але, або, коли;
# і, што, з, ад, але, калі, дзе, ён).
RU_NOT_EAST_SLAVIC = frozenset("и с со к из от что как его он она они меня уже когда где тоже ещё "
                               "еще если или но нет будет".split())
EAST_SLAVIC_WORDS = {
    "uk": frozenset("і й що це як з із від або але бо вже дуже коли де який яка яке які цей ця ці вони він "
                    "вона воно ми ви його її був була було були буде є також щоб зараз теж мене та".split()),
    "be": frozenset("і ў што гэта як з ад але ці калі дзе ён яна яно яны яго мяне ужо вельмі таксама "
                    "будзе".split()),
}
# Russian prepositions and conjunctions: words that Turkic, Tajik and Mongolian text does not have
# (Uzbek у 'he', Tajik на 'not', Kazakh не 'what' and да 'also' are left out).
# Ukrainian and Belarusian double consonants of their own (життя, знання, жыццё, вяселле) but, like
# Bulgarian, write loanwords single (група, програма); Belarusian reflexives end -ся after vowels too
# (вярнулася), Russian in -сь.
SLAVIC_DOUBLED = re.compile(r"([бгкмпрф])\1")
RU_REFLEXIVE = re.compile(r"[аеиоуыюя]сь\b")
RU_NOT_ASIAN = frozenset("в во с со к ко и о об от из для при без под над через что это как его был была "
                         "было были уже очень когда где если или но по за до".split())
RU_NOT_ASIAN_ENDINGS = re.compile(r"\b\w+(?:ся|сь|ого|ему|ому|ую|ться|тся|ают|яют)\b"
                                  r"|\b\w+ова(?:л|ла|ло|ли|ть)\b")


def russian_against(other: str, lower: str) -> int:
    """Evidence for Russian over ``other`` (uk be kk ky uz tg mn): the letters only one of them writes
    (2 each), Russian function words and endings, Kazakh and Kyrgyz endings (1 each)."""
    evidence = -2 * len(OWN_PATTERNS[other].findall(lower))
    if other in RUSSIAN_PATTERNS:
        evidence += 2 * len(RUSSIAN_PATTERNS[other].findall(lower))
    words = WORD.findall(lower)
    if other in EAST_SLAVIC_WORDS:
        evidence += len(SLAVIC_DOUBLED.findall(lower)) + len(RU_REFLEXIVE.findall(lower))
        evidence += sum(1 for word in words if word in RU_NOT_EAST_SLAVIC)
        evidence -= sum(1 for word in words if word in EAST_SLAVIC_WORDS[other])
        return evidence
    evidence += len(RU_DOUBLED.findall(lower)) + len(RU_NOT_ASIAN_ENDINGS.findall(lower))
    evidence += sum(1 for word in words if word in RU_NOT_ASIAN)
    if other == "ky":
        evidence -= len(KYRGYZ_SIGNS.findall(lower))
    elif other == "kk":
        evidence -= len(KAZAKH_SIGNS.findall(lower))
    return evidence


# --- Kazakh and Kyrgyz ----------------------------------------------------------------------
KAZAKH_LETTERS = re.compile(r"[әғқұһі]")
KYRGYZ_SIGNS = re.compile(r"оо|ээ|уу|үү|өө|(?:н|д|т)(?:ун|үн)\b")  # long vowels; genitive -нун/-дүн
KAZAKH_SIGNS = re.compile(r"(?:н|д|т)(?:ың|ің)\b")  # genitive -ның/-дің/-тың


def kazakh_against_kyrgyz(lower: str) -> int:
    """Evidence for Kazakh over Kyrgyz: Kazakh letters and genitive endings against Kyrgyz long
    vowels and genitive endings, 1 each."""
    kazakh = len(KAZAKH_LETTERS.findall(lower)) + len(KAZAKH_SIGNS.findall(lower))
    return kazakh - len(KYRGYZ_SIGNS.findall(lower))
