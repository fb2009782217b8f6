"""Speech normalisation for German, French, Spanish, Italian, Portuguese, Dutch and Polish.

What a native reader says for numbers with the language's separators (476,8; 1.200; 1 250),
ordinals (3. März, 2e, 1.º), years, dates, times (9:30 Uhr, 21 h 30, las 10:15), money
(12,50 €), percentages, units and the common abbreviations (z. B., M., Sr., pág.). The number
words come from num2words; these rules only decide what a number is and how the language says
it. Each language is a table (:class:`Locale`) read by the same rules, in a fixed order, so a
later rule never sees what an earlier one said. Other languages are left as written: Piper's
voices say their numbers by their own rules.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from num2words import num2words

from ..languages import base_language, normalise_tag


@dataclass(frozen=True)
class Locale:
    """How one language writes and says numbers, and its common abbreviations."""

    code: str
    """num2words' language code (and the language's BCP 47 base tag)."""

    decimal: str
    """The word said for the decimal comma."""

    percent: str
    """The word said for %."""

    abbreviations: dict[str, str]
    """Written abbreviation (with its dots and spaces) -> what is said."""

    units: dict[str, str]
    """Unit symbol -> its word, said after the number."""

    currencies: dict[str, str] = field(default_factory=lambda: {"€": "EUR", "$": "USD", "£": "GBP"})
    """Currency symbol or code -> num2words' currency code."""

    months: tuple[str, ...] = ()
    """The month names, lower case: a number before one is a day of the month."""

    clock: Callable[[int, int], str] | None = None
    """How a time of day (hours, minutes) is said."""

    ordinal_suffixes: str = ""
    """A regular expression for the letters that make a number an ordinal (fr ``e|er|re``, es ``º|ª``)."""

    dotted_ordinals: bool = False
    """Whether ``3.`` before a word is an ordinal (German, Polish)."""

    year_words: bool = False
    """Whether years are said as years (num2words 'year': neunzehnhundertvierundachtzig), not as numbers."""

    and_cents: str = ""
    """How cents follow the whole amount ('' keeps num2words' own phrase)."""


def _n(value: int | float, lang: str, **kwargs: str) -> str:
    return str(num2words(value, lang=lang, **kwargs))


# --- the languages ------------------------------------------------------------------------------

_DE_CLOCK = lambda h, m: f"{_n(h, 'de')} Uhr" + (f" {_n(m, 'de')}" if m else "")  # noqa: E731
_FR_CLOCK = lambda h, m: (f"{_n(h, 'fr').replace('un', 'une') if h % 10 == 1 and h != 11 else _n(h, 'fr')} "  # noqa: E731
                          f"heure{'s' if h > 1 else ''}" + (f" {_n(m, 'fr')}" if m else ""))
_ES_CLOCK = lambda h, m: (("una" if h % 12 == 1 else _n(h, "es").replace("uno", "una"))  # noqa: E731
                          + (f" y {_n(m, 'es')}" if m else ""))
_IT_CLOCK = lambda h, m: ("l'una" if h == 1 else _n(h, "it")) + (f" e {_n(m, 'it')}" if m else "")  # noqa: E731
_PT_CLOCK = lambda h, m: (("uma" if h == 1 else "duas" if h == 2 else _n(h, "pt"))  # noqa: E731
                          + (f" e {_n(m, 'pt')}" if m else ""))
_NL_CLOCK = lambda h, m: f"{_n(h, 'nl')} uur" + (f" {_n(m, 'nl')}" if m else "")  # noqa: E731
def _pl_case(ordinal: str, ending: str) -> str:
    """A Polish masculine ordinal's words in another case: 'ego' (genitive: czternastego), 'ym'
    (locative: osiemdziesiątym piątym). Only the words that are ordinals change (tysiąc stays)."""
    def one(word: str) -> str:
        if word.endswith("y"):
            return word[:-1] + ending
        if word.endswith("i"):
            return word + ending.replace("y", "i") if ending == "ym" else word + ending
        return word
    return " ".join(one(word) for word in ordinal.split())


def _pl_clock(hours: int, minutes: int) -> str:
    """'o 10:15' -> 'o dziesiątej piętnaście': the hour as a feminine ordinal, as after 'o' (at)."""
    hour = " ".join(word[:-1] + "ej" if word.endswith("y") else word + "ej" if word.endswith("i") else word
                    for word in _n(hours, "pl", to="ordinal").split())
    return hour + (f" {_n(minutes, 'pl')}" if minutes else "")


_PL_CLOCK = _pl_clock

_RANGE = {"de": "bis", "fr": "à", "es": "a", "it": "a", "pt": "a", "nl": "tot", "pl": "do"}
"""Said between the numbers of a range (5-10) or a score (2:1 is 'zwei zu eins' in German)."""

_SCORE = {"de": "zu", "fr": "à", "es": "a", "it": "a", "pt": "a", "nl": "tegen", "pl": "do"}

_MINUS = {"de": "minus", "fr": "moins", "es": "menos", "it": "meno", "pt": "menos", "nl": "min", "pl": "minus"}

_SECONDS = {"de": ("Sekunden", "Minuten"), "fr": ("secondes", "minutes"), "es": ("segundos", "minutos"),
            "it": ("secondi", "minuti"), "pt": ("segundos", "minutos"), "nl": ("seconden", "minuten"),
            "pl": ("sekund", "minut")}

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman(text: str) -> int:
    """'XXI' -> 21."""
    values = [_ROMAN[ch] for ch in text]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


LOCALES: dict[str, Locale] = {
    "de": Locale(
        "de", "Komma", "Prozent",
        {"z. B.": "zum Beispiel", "z.B.": "zum Beispiel", "d. h.": "das heißt", "d.h.": "das heißt",
         "u. a.": "unter anderem", "u.a.": "unter anderem", "usw.": "und so weiter", "bzw.": "beziehungsweise",
         "ca.": "circa", "Dr.": "Doktor", "Prof.": "Professor", "Nr.": "Nummer", "Str.": "Straße",
         "vgl.": "vergleiche", "ggf.": "gegebenenfalls", "inkl.": "inklusive", "evtl.": "eventuell",
         "Jh.": "Jahrhundert", "v. Chr.": "vor Christus", "n. Chr.": "nach Christus", "Mrd.": "Milliarden",
         "Mio.": "Millionen", "Tsd.": "Tausend", "Hr.": "Herr", "Fr.": "Frau", "St.": "Sankt", "bzgl.": "bezüglich",
         "Abs.": "Absatz", "Abb.": "Abbildung", "gem.": "gemäß", "o. Ä.": "oder Ähnliches", "u. U.": "unter Umständen",
         "Mo.": "Montag", "Di.": "Dienstag", "Mi.": "Mittwoch", "Do.": "Donnerstag", "Sa.": "Samstag",
         "So.": "Sonntag"},
        {"km": "Kilometer", "kg": "Kilogramm", "cm": "Zentimeter", "mm": "Millimeter", "m²": "Quadratmeter",
         "km²": "Quadratkilometer", "°C": "Grad Celsius", "km/h": "Kilometer pro Stunde", "g": "Gramm", "l": "Liter",
         "ml": "Milliliter", "t": "Tonnen", "m": "Meter", "kWh": "Kilowattstunden", "MW": "Megawatt"},
        months=("januar", "jänner", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
                "oktober", "november", "dezember"),
        clock=_DE_CLOCK, dotted_ordinals=True, year_words=True),
    "fr": Locale(
        "fr", "virgule", "pour cent",
        {"M.": "Monsieur", "MM.": "Messieurs", "Mme": "Madame", "Mmes": "Mesdames", "Mlle": "Mademoiselle",
         "Dr": "Docteur", "p.": "page", "pp.": "pages", "n°": "numéro", "no.": "numéro", "etc.": "et cetera",
         "av. J.-C.": "avant Jésus-Christ", "apr. J.-C.": "après Jésus-Christ", "cf.": "voir", "env.": "environ",
         "bd": "boulevard", "av.": "avenue", "St": "Saint", "Ste": "Sainte", "Mds": "milliards", "Md": "milliard",
         "M€": "millions d'euros", "Md€": "milliards d'euros", "c.-à-d.": "c'est-à-dire", "min": "minutes"},
        {"km": "kilomètres", "kg": "kilogrammes", "cm": "centimètres", "mm": "millimètres", "m²": "mètres carrés",
         "km²": "kilomètres carrés", "°C": "degrés Celsius", "km/h": "kilomètres heure", "g": "grammes",
         "l": "litres", "t": "tonnes", "m": "mètres", "kWh": "kilowattheures"},
        months=("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                "novembre", "décembre"),
        clock=_FR_CLOCK, ordinal_suffixes=r"er|re|ère|e|ème|è"),
    "es": Locale(
        "es", "coma", "por ciento",
        {"Sr.": "señor", "Sra.": "señora", "Srta.": "señorita", "Dr.": "doctor", "Dra.": "doctora",
         "pág.": "página", "págs.": "páginas", "núm.": "número", "etc.": "etcétera", "EE. UU.": "Estados Unidos",
         "EE.UU.": "Estados Unidos", "aprox.": "aproximadamente", "Avda.": "avenida", "D.": "don", "Dña.": "doña",
         "a. C.": "antes de Cristo", "d. C.": "después de Cristo", "Ud.": "usted", "Uds.": "ustedes",
         "p. ej.": "por ejemplo", "mill.": "millones", "Sto.": "santo", "Sta.": "santa"},
        {"km": "kilómetros", "kg": "kilos", "cm": "centímetros", "mm": "milímetros", "m²": "metros cuadrados",
         "km²": "kilómetros cuadrados", "°C": "grados", "km/h": "kilómetros por hora", "g": "gramos",
         "l": "litros", "t": "toneladas", "m": "metros"},
        months=("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "setiembre",
                "octubre", "noviembre", "diciembre"),
        clock=_ES_CLOCK, ordinal_suffixes=r"\.?º|\.?ª|\.?°|\.er|\.ᵉʳ"),
    "it": Locale(
        "it", "virgola", "per cento",
        {"Sig.": "signor", "Sig.ra": "signora", "Sigg.": "signori", "Dott.": "dottor", "Dott.ssa": "dottoressa",
         "Prof.": "professor", "pag.": "pagina", "pagg.": "pagine", "ecc.": "eccetera", "n.": "numero",
         "a.C.": "avanti Cristo", "d.C.": "dopo Cristo", "c.a": "circa", "ca.": "circa", "S.": "San",
         "mld": "miliardi", "mln": "milioni", "Avv.": "avvocato", "Ing.": "ingegner", "sec.": "secolo"},
        {"km": "chilometri", "kg": "chili", "cm": "centimetri", "mm": "millimetri", "m²": "metri quadrati",
         "km²": "chilometri quadrati", "°C": "gradi", "km/h": "chilometri orari", "g": "grammi", "l": "litri",
         "t": "tonnellate", "m": "metri"},
        months=("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
                "ottobre", "novembre", "dicembre"),
        clock=_IT_CLOCK, ordinal_suffixes=r"º|°|ª"),
    "pt": Locale(
        "pt", "vírgula", "por cento",
        {"Sr.": "senhor", "Sra.": "senhora", "Dr.": "doutor", "Dra.": "doutora", "pág.": "página",
         "págs.": "páginas", "n.º": "número", "nº": "número", "etc.": "etcétera", "a.C.": "antes de Cristo",
         "d.C.": "depois de Cristo", "Av.": "avenida", "V. Exa.": "Vossa Excelência", "mil.": "mil",
         "mi": "milhões", "bi": "bilhões", "aprox.": "aproximadamente", "Prof.": "professor", "Profa.": "professora"},
        {"km": "quilômetros", "kg": "quilos", "cm": "centímetros", "mm": "milímetros", "m²": "metros quadrados",
         "km²": "quilômetros quadrados", "°C": "graus", "km/h": "quilômetros por hora", "g": "gramas",
         "l": "litros", "t": "toneladas", "m": "metros"},
        currencies={"€": "EUR", "R$": "BRL", "$": "USD", "£": "GBP"},
        months=("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
                "outubro", "novembro", "dezembro"),
        clock=_PT_CLOCK, ordinal_suffixes=r"\.?º|\.?ª"),
    "nl": Locale(
        "nl", "komma", "procent",
        {"dhr.": "de heer", "mevr.": "mevrouw", "bijv.": "bijvoorbeeld", "o.a.": "onder andere",
         "d.w.z.": "dat wil zeggen", "enz.": "enzovoort", "ca.": "circa", "nr.": "nummer", "blz.": "bladzijde",
         "mln.": "miljoen", "mld.": "miljard", "dr.": "doctor", "prof.": "professor", "jl.": "jongstleden",
         "e.d.": "en dergelijke", "m.b.t.": "met betrekking tot", "n.a.v.": "naar aanleiding van", "St.": "Sint"},
        {"km": "kilometer", "kg": "kilo", "cm": "centimeter", "mm": "millimeter", "m²": "vierkante meter",
         "km²": "vierkante kilometer", "°C": "graden", "km/h": "kilometer per uur", "g": "gram", "l": "liter",
         "t": "ton", "m": "meter"},
        months=("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
                "november", "december"),
        clock=_NL_CLOCK, ordinal_suffixes=r"e|ste|de", year_words=True),
    "pl": Locale(
        "pl", "przecinek", "procent",
        {"np.": "na przykład", "m.in.": "między innymi", "tzw.": "tak zwany", "ok.": "około", "tys.": "tysięcy",
         "mln": "milionów", "mld": "miliardów", "r.": "roku", "w.": "wieku", "ul.": "ulica",
         "dr": "doktor", "prof.": "profesor", "godz.": "godzina", "tj.": "to jest", "itd.": "i tak dalej",
         "itp.": "i tym podobne", "wg": "według", "nr": "numer", "pkt": "punkt", "str.": "strona",
         "p.n.e.": "przed naszą erą", "n.e.": "naszej ery"},
        {"km": "kilometrów", "kg": "kilogramów", "cm": "centymetrów", "mm": "milimetrów", "m²": "metrów kwadratowych",
         "°C": "stopni Celsjusza", "km/h": "kilometrów na godzinę", "g": "gramów", "l": "litrów", "t": "ton",
         "m": "metrów"},
        currencies={"€": "EUR", "$": "USD", "£": "GBP", "zł": "PLN", "PLN": "PLN"},
        months=("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
                "października", "listopada", "grudnia"),
        clock=_PL_CLOCK, dotted_ordinals=True),
}
"""The languages said as their readers say them; any other is read as written."""

for _code, (_seconds, _minutes) in _SECONDS.items():
    LOCALES[_code].units.setdefault("s", _seconds)
    LOCALES[_code].units.setdefault("min", _minutes)

def locale_for(language: str | None) -> Locale | None:
    """The rules for a language tag (``de-AT`` -> German's), or None for one not here."""
    return LOCALES.get(base_language(normalise_tag(language)) or "")


# --- numbers -------------------------------------------------------------------------------------

_SPACE = "[ \u00a0\u202f]"
NUMBER = rf"\d{{1,3}}(?:(?:\.|{_SPACE}|')\d{{3}})+(?:,\d+)?|\d+(?:,\d+)?"
"""A number as these languages write it: 1.250 / 1 250 / 1'250 thousands, 476,8 decimals."""


def number_words(text: str, locale: Locale) -> str:
    """A written number as words: '476,8' -> 'vierhundertsechsundsiebzig Komma acht'."""
    whole, _, fraction = re.sub(rf"(?:\.|{_SPACE}|')(?=\d{{3}})", "", text).partition(",")
    words = _n(int(whole), locale.code)
    if fraction:
        zeros = len(fraction) - len(fraction.lstrip("0"))
        said = [_n(0, locale.code)] * zeros + ([_n(int(fraction), locale.code)] if fraction.strip("0") else [])
        words += f" {locale.decimal} " + " ".join(said)
    return words


def _value(text: str) -> float:
    whole, _, fraction = re.sub(rf"(?:\.|{_SPACE}|')(?=\d{{3}})", "", text).partition(",")
    return float(f"{whole}.{fraction or 0}")


def _ordinal_words(n: int, locale: Locale, before: str = "") -> str:
    """The ordinal, in the form the word before it asks for where the language inflects it."""
    said = _n(n, locale.code, to="ordinal")
    if locale.code == "de" and before.lower() in ("am", "im", "vom", "zum", "beim", "dem", "den", "des", "ab",
                                                   "seit", "bis", "ihrem", "seinem", "einem"):
        said += "n"  # am dritten März, im zweiten Quartal
    return said


def _year_words(n: int, locale: Locale) -> str:
    if locale.year_words and 1100 <= n <= 1999:
        return _n(n, locale.code, to="year").replace(" ", "")  # (Dutch's comes with spaces)
    return _n(n, locale.code)


# --- the rules -----------------------------------------------------------------------------------


def _rules(locale: Locale) -> list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]:
    rules: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = []
    code = locale.code

    # Abbreviations, longest first, at word edges (their own dots and spaces included).
    written_forms = dict(locale.abbreviations)
    for written, said in locale.abbreviations.items():  # 'bijv.' opens a sentence as 'Bijv.'
        if written[:1].islower():
            written_forms.setdefault(written[:1].upper() + written[1:], said[:1].upper() + said[1:])
    for written in sorted(written_forms, key=len, reverse=True):
        pattern = re.escape(written).replace(r"\ ", r"\s?")
        rules.append((re.compile(rf"(?<![\w.]){pattern}(?!\w)"), _saying(written_forms[written], written)))

    # Times: 9:30 Uhr, 14 Uhr, 21 h 30, 21h30, las 10:15, 9.30 uur.
    def clock(m: re.Match[str]) -> str:
        hours, minutes = int(m.group("h")), int(m.group("m") or 0)
        if hours > 24 or minutes > 59 or locale.clock is None:
            return m.group(0)
        return locale.clock(hours, minutes)

    if code in ("de", "nl"):  # their clock says 'Uhr', 'uur' itself
        rules.append((re.compile(r"\b(?P<h>\d{1,2})[:.](?P<m>\d{2})\s?(?:Uhr|uur)\b"), clock))
        rules.append((re.compile(r"\b(?P<h>\d{1,2})(?P<m>)\s?(?:Uhr|uur)\b"), clock))
    if code == "fr":
        rules.append((re.compile(r"\b(?P<h>\d{1,2})\s?h\s?(?P<m>\d{2})?(?!\w)"), clock))
    rules.append((re.compile(r"\b(?P<h>\d{1,2}):(?P<m>\d{2})\b"), clock))

    # Money: 12,50 €, € 12,50, 476,8 Milliarden Euro (said by the number rule), R$ 10,00, 10 zł.
    symbols = "|".join(re.escape(s) for s in sorted(locale.currencies, key=len, reverse=True))

    def money(m: re.Match[str]) -> str:
        amount, symbol = m.group("a") or m.group("b"), m.group("s") or m.group("t")
        scale = (m.group("scale") or m.group("scale2") or "").strip()
        currency = locale.currencies[symbol]
        if scale:
            return f"{number_words(amount, locale)} {scale} {_currency_name(currency, locale)}"
        whole, _, cents = amount.partition(",")
        if not cents.strip("0"):  # 10,00 €: ten euros
            return f"{number_words(whole, locale)} {_currency_name(currency, locale)}"
        try:
            return str(num2words(_value(amount), lang=code, to="currency", currency=currency)).replace(",", "")
        except (NotImplementedError, KeyError, ValueError, AttributeError):
            return f"{number_words(amount, locale)} {_currency_name(currency, locale)}"

    scales = ("Milliarden|Millionen|milliards|millions|millones|miliardi|milioni|bilhões|milhões|miljard|miljoen|"
              "miliardów|milionów")
    rules.append((re.compile(rf"(?P<s>{symbols})\s?(?P<a>{NUMBER})(?P<scale>\s(?:{scales}))?(?!\d)"
                             rf"|(?<![\w.,])(?P<b>{NUMBER})(?P<scale2>\s(?:{scales}))?\s?(?P<t>{symbols})(?!\w)"),
                  money))

    # Scores (2:1, a single digit after the colon: never a time), ranges (5-10, 2010–2020) and signs (-5).
    rules.append((re.compile(r"\b(\d{1,2}):(\d)\b(?!:)"),
                  lambda m: f"{_n(int(m.group(1)), code)} {_SCORE[code]} {_n(int(m.group(2)), code)}"))
    rules.append((re.compile(rf"(?<![\w,.])({NUMBER})\s?[-–]\s?(?=\d)"), lambda m: f"{m.group(1)} {_RANGE[code]} "))
    rules.append((re.compile(r"(?:(?<=\s)|^)[-−](?=\d)"), lambda m: f"{_MINUS[code]} "))

    # Centuries in Roman numerals: XXe siècle, siglo XX, século XXI, XX secolo.
    if code == "fr":
        rules.append((re.compile(r"\b([IVXLC]+)e(?=\s+siècle)"), lambda m: _n(roman(m.group(1)), code, to="ordinal")))
    if code in ("es", "pt"):
        rules.append((re.compile(r"\b(siglo|siglos|século|séculos)\s+([IVXLC]+)\b"),
                      lambda m: f"{m.group(1)} {_n(roman(m.group(2)), code)}"))
    if code == "it":
        rules.append((re.compile(r"\b([IVXLC]+)(?=\s+secol[oi]\b)"),
                      lambda m: _n(roman(m.group(1)), code, to="ordinal")))

    # Polish dates and years: the day and the year as ordinals (14 lipca 1789 r., w 1985 r.).
    if code == "pl":
        months = "|".join(locale.months)
        rules.append((re.compile(rf"\b(\d{{1,2}})\s(?=(?:{months})\b)"),
                      lambda m: _pl_case(_n(int(m.group(1)), "pl", to="ordinal"), "ego") + " "))
        rules.append((re.compile(r"(?P<w>\b[wW]\s)?\b(?P<y>\d{4})\s(?:roku)\b"),  # ('r.' is 'roku' by now)
                      lambda m: (m.group("w") or "") + _pl_case(_n(int(m.group("y")), "pl", to="ordinal"),
                                                                "ym" if m.group("w") else "ego") + " roku"))

    # Percent: 3 %, 0,3 %, 45%.
    rules.append((re.compile(rf"(?<![\w.,])({NUMBER})\s?%"),
                  lambda m: f"{number_words(m.group(1), locale)} {locale.percent}"))

    # Units after a number.
    units = "|".join(re.escape(u) for u in sorted(locale.units, key=len, reverse=True))
    def unit(m: re.Match[str]) -> str:
        word = locale.units[m.group(2)]
        if code == "pl" and word in _PL_FORMS:
            word = _pl_form(m.group(1), _PL_FORMS[word])
        return f"{number_words(m.group(1), locale)} {word}"

    rules.append((re.compile(rf"(?<![\w.,])({NUMBER})\s?({units})(?![\w/²])"), unit))

    # Ordinals: 3. März / im 2. Quartal (de, pl); 2e, 1er, 1re (fr); 1.º, 1.ª (es, pt); 1º (it); 3e (nl).
    if locale.dotted_ordinals:
        rules.append((re.compile(r"(?P<before>(?:^|(?<=\s))(?:\w+\s)?)(?P<n>\d{1,3})\.\s(?=[A-Za-zÀ-ÿĀ-ž])"),
                      lambda m: _dotted_ordinal(m, locale)))
    if locale.ordinal_suffixes:
        feminine = {"re", "ère", ".ª", "ª"}

        def suffixed(m: re.Match[str]) -> str:
            n, suffix = int(m.group(1)), m.group(2)
            said = _n(n, code, to="ordinal")
            if suffix in feminine or suffix.endswith("ª"):
                said = _feminine(said, code)
            return said

        rules.append((re.compile(rf"\b(\d{{1,4}})({locale.ordinal_suffixes})(?![\w])"), suffixed))

    # A day and a month: 3 mars 2025, 15 de marzo: the day as a number (French says 'premier').
    months = "|".join(locale.months)
    if months and code == "fr":
        rules.append((re.compile(rf"\b1\s(?=(?:{months})\b)", re.IGNORECASE), lambda m: "premier "))

    # Years: a four-digit number from 1100 to 2099 standing alone.
    rules.append((re.compile(r"(?<![\w.,])(1[1-9]\d\d|20\d\d)(?![\w.,]\d)(?!\d)"),
                  lambda m: _year_words(int(m.group(1)), locale)))

    # Every other number; Spanish shortens 'uno' before a noun (veintiún alumnos, un libro).
    def plain(m: re.Match[str]) -> str:
        said = number_words(m.group(1), locale)
        noun = re.match(r"\s([^\W\d_]+)", m.string[m.end():])
        if noun and "," not in m.group(1):
            said = agree(said, noun.group(1), code)
        return said

    rules.append((re.compile(rf"(?<![\w])({NUMBER})(?![\w])"), plain))
    return rules


def _saying(said: str, written: str) -> Callable[[re.Match[str]], str]:
    """What an abbreviation is said as; one that ends its sentence ('etc.') keeps the sentence's dot."""
    def say(m: re.Match[str]) -> str:
        ends = written.endswith(".") and not m.string[m.end():].strip()
        return said + "." if ends else said
    return say


def _dotted_ordinal(m: re.Match[str], locale: Locale) -> str:
    """'am 3. März' -> 'am dritten März'; '2025. Danach' never comes here (four digits)."""
    before = m.group("before")
    word = before.strip()
    return f"{before}{_ordinal_words(int(m.group('n')), locale, word.split()[-1] if word else '')} "


_PL_FORMS = {"kilometrów": ("kilometr", "kilometry"), "kilogramów": ("kilogram", "kilogramy"),
             "centymetrów": ("centymetr", "centymetry"), "milimetrów": ("milimetr", "milimetry"),
             "metrów": ("metr", "metry"), "gramów": ("gram", "gramy"), "litrów": ("litr", "litry"),
             "ton": ("tona", "tony"), "stopni Celsjusza": ("stopień Celsjusza", "stopnie Celsjusza")}
"""Polish nouns after numbers: one (1), few (2-4, 22-24...), and the many form (the table's own)."""


def _pl_form(written: str, forms: tuple[str, str]) -> str:
    """The Polish noun form a number asks for: 1 kilometr, 2 kilometry, 5 kilometrów; decimals take the genitive."""
    if "," in written:
        return {"kilometr": "kilometra", "stopień Celsjusza": "stopnia Celsjusza"}.get(forms[0], forms[0] + "a")
    n = int(re.sub(r"\D", "", written))
    if n == 1:
        return forms[0]
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return forms[1]
    return {"kilometr": "kilometrów", "kilogram": "kilogramów", "centymetr": "centymetrów", "milimetr": "milimetrów",
            "metr": "metrów", "gram": "gramów", "litr": "litrów", "tona": "ton",
            "stopień Celsjusza": "stopni Celsjusza"}[forms[0]]


_FEMININE_ENDINGS = {
    "es": ("a", "as", "ción", "ciones", "sión", "siones", "dad", "dades", "tad", "tud"),
    "pt": ("a", "as", "ção", "ções", "dade", "dades", "gem", "gens"),
    "it": ("a", "zione", "tà"),
}
"""Noun endings that are feminine nearly always (la casa, la nación, a cidade, la città): a number
before such a noun takes its feminine form. Exceptions (el día, o dia, il problema) keep the masculine."""

_MASCULINE_EXCEPTIONS = {"día", "días", "dia", "dias", "mapa", "mapas", "problema", "problemas", "programa",
                         "programas", "sistema", "sistemas", "tema", "temas", "idioma", "idiomas", "clima", "poeta",
                         "poetas", "planeta", "planetas", "turista", "turistas", "atleta", "atletas", "cinema"}


def agree(said: str, noun: str, code: str) -> str:
    """A cardinal's words in the form the noun after it asks for: ein Kind (not eins), veintiún años,
    veintiuna personas, duzentas pessoas, una casa."""
    if code == "de":  # before a noun (German capitalises them): ein Kind; Kapitel eins beginnt
        return re.sub(r"eins$", "ein", said) if noun[:1].isupper() else said
    if code not in _FEMININE_ENDINGS:
        return said
    feminine = noun.lower().endswith(_FEMININE_ENDINGS[code]) and noun.lower() not in _MASCULINE_EXCEPTIONS
    if code == "es":
        if feminine:
            said = re.sub(r"uno$", "una", said)
            return re.sub(r"ientos\b", "ientas", said)  # doscientas personas (quinientas too)
        said = re.sub(r"(?:(?<=veinti)|\b)uno$", "ún", said).replace(" ún", " un")
        return "un" if said == "ún" else said
    if code == "pt" and feminine:
        said = re.sub(r"\bum$", "uma", said)
        said = re.sub(r"\bdois$", "duas", said)
        return re.sub(r"entos\b", "entas", said)  # duzentas, trezentas... (not cento)
    if code == "it" and feminine:
        return re.sub(r"uno$", "una", said)
    return said


def _feminine(said: str, code: str) -> str:
    if code == "fr":
        return "première" if said == "premier" else said
    if code in ("es", "pt", "it"):
        return re.sub(r"o\b", "a", said)
    return said


def _currency_name(currency: str, locale: Locale) -> str:
    names = {"EUR": "Euro" if locale.code == "de" else "euros" if locale.code in ("fr", "es", "pt") else "euro",
             "USD": "Dollar" if locale.code == "de" else "dollars" if locale.code == "fr" else "dólares"
             if locale.code in ("es", "pt") else "dollari" if locale.code == "it" else "dollar",
             "GBP": "Pfund" if locale.code == "de" else "livres" if locale.code == "fr" else "libras"
             if locale.code in ("es", "pt") else "sterline" if locale.code == "it" else "pond",
             "BRL": "reais", "PLN": "złotych"}
    return names.get(currency, currency)


_COMPILED: dict[str, list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]] = {}


def normalise_locale(text: str, locale: Locale) -> str:
    """``text`` with its numbers, dates, times, amounts and abbreviations said as the language says them."""
    rules = _COMPILED.get(locale.code)
    if rules is None:
        rules = _COMPILED[locale.code] = _rules(locale)
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


# --- splitting sentences -------------------------------------------------------------------------


@functools.lru_cache(maxsize=16)
def abbreviations_for(language: str | None) -> frozenset[str]:
    """The language's abbreviations that end in a dot, lower case without it: never a sentence's end."""
    locale = locale_for(language)
    if locale is None:
        return frozenset()
    return frozenset(written.lower()[:-1].split()[-1] for written in locale.abbreviations if written.endswith("."))


# --- what articast itself says -------------------------------------------------------------------

_NOTES = {
    "de": ("Hier folgt ein Codebeispiel, das nicht vorgelesen wird.", "Eine Tabelle mit {n} Zeilen wird hier nicht "
           "vorgelesen.", "Einleitung"),
    "fr": ("Un exemple de code n'est pas lu ici.", "Un tableau de {n} lignes n'est pas lu ici.", "Introduction"),
    "es": ("Aquí se omite un ejemplo de código.", "Aquí se omite una tabla de {n} filas.", "Introducción"),
    "it": ("Qui si salta un esempio di codice.", "Qui si salta una tabella di {n} righe.", "Introduzione"),
    "pt": ("Aqui é omitido um exemplo de código.", "Aqui é omitida uma tabela com {n} linhas.", "Introdução"),
    "nl": ("Hier wordt een codevoorbeeld overgeslagen.", "Hier wordt een tabel met {n} rijen overgeslagen.",
           "Inleiding"),
    "pl": ("Tu pominięto przykład kodu.", "Tu pominięto tabelę, która ma {n} wierszy.", "Wstęp"),
}
"""Per language: the note for a skipped code sample, for a skipped table of n rows, and the title
of a chapter with no heading."""

_DOCUMENT_NOTES = {
    "de": ("Die Fußnoten werden nicht vorgelesen.", "Das Literaturverzeichnis wird nicht vorgelesen.",
           "Hier wird eine Formel übersprungen."),
    "fr": ("Les notes de bas de page ne sont pas lues.", "La liste des références n'est pas lue.",
           "Une formule est omise ici."),
    "es": ("Las notas al pie no se leen.", "La lista de referencias no se lee.", "Aquí se omite una fórmula."),
    "it": ("Le note a piè di pagina non vengono lette.", "L'elenco dei riferimenti non viene letto.",
           "Qui si salta una formula."),
    "pt": ("As notas de rodapé não são lidas.", "A lista de referências não é lida.", "Aqui é omitida uma fórmula."),
    "nl": ("De voetnoten worden niet voorgelezen.", "De literatuurlijst wordt niet voorgelezen.",
           "Hier wordt een formule overgeslagen."),
    "pl": ("Przypisy nie są czytane.", "Bibliografia nie jest czytana.", "Tu pominięto wzór."),
}
"""Per language: what is said where a document's footnotes, reference list or a formula are left out."""


def localised_note(note: str, language: str | None) -> str | None:
    """A skip note (ingest's, in English) in the article's language; None where there is none to say
    it in (a language without its notes here): silence rather than English in another language."""
    from ..models import CODE_SKIPPED, DOCUMENT_NOTES

    code = base_language(normalise_tag(language or "en")) or ""
    if code == "en":
        return note
    if note in DOCUMENT_NOTES:
        said = _DOCUMENT_NOTES.get(code)
        return said[DOCUMENT_NOTES.index(note)] if said else None
    notes = _NOTES.get(code)
    if notes is None:
        return None
    if note == CODE_SKIPPED:
        return notes[0]
    rows = re.search(r"\d+", note)
    return notes[1].format(n=rows.group(0) if rows else "")


def untitled_chapter(language: str | None) -> str | None:
    """The title of a chapter with no heading, in the article's language (None where there is none)."""
    code = base_language(normalise_tag(language or "en")) or ""
    if code == "en":
        return "Introduction"
    notes = _NOTES.get(code)
    return notes[2] if notes else None
