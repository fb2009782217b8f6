"""English speech normalisation: numbers, money, dates, times, units and abbreviations said as a person says them.

Number words come from num2words; this module decides what a number *is* (a year, an amount of
money, a time, a fraction) and in which order the words go ("one point two five billion dollars",
not "dollar one point two five billion"). Rules run in a fixed order, each turning digits and
symbols into words, so a later rule never sees what an earlier one already said.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from num2words import num2words

# --- number words -----------------------------------------------------------------------------


def cardinal(n: int) -> str:
    """'1234' -> 'one thousand two hundred thirty-four' (American: no 'and', no commas)."""
    words = num2words(n).replace(",", "")
    return re.sub(r" and ", " ", words)


def ordinal(n: int) -> str:
    """'23' -> 'twenty-third'."""
    return re.sub(r" and ", " ", num2words(n, to="ordinal").replace(",", ""))


def year(n: int) -> str:
    """'2026' -> 'twenty twenty-six', '1905' -> 'nineteen oh-five', '2005' -> 'two thousand five'."""
    return re.sub(r" and ", " ", num2words(n, to="year"))


_DIGITS = "zero one two three four five six seven eight nine".split()


def number(text: str) -> str:
    """A written number, with thousands separators or decimals, as words: '1,234.50' -> '... point five zero'."""
    text = text.replace(",", "").replace("\u202f", "").replace("\u00a0", "")
    negative = text.startswith(("-", "\u2212"))
    text = text.lstrip("-\u2212+")
    whole, _, frac = text.partition(".")
    words = cardinal(int(whole or "0"))
    if frac:
        words += " point " + " ".join(_DIGITS[int(d)] for d in frac)
    return ("minus " + words) if negative else words


def _is_one(text: str) -> bool:
    return text.replace(",", "") in ("1", "1.0")


def plural_number_words(words: str) -> str:
    """'nineteen ninety' -> 'nineteen nineties'; 'two thousand' -> 'two thousands'."""
    head, _, last = words.rpartition(" ")
    last = last[:-1] + "ies" if last.endswith("y") else last + "s"
    return f"{head} {last}".strip()


# --- patterns ---------------------------------------------------------------------------------

NUM = r"\d{1,3}(?:[,\u202f\u00a0]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_MONTH_ABBR = {m[:3].lower(): m for m in _MONTHS} | {"sept": "September"}
_MONTH_RE = (r"(?P<month>" + "|".join(_MONTHS) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)")

_SCALES = {
    "thousand": "thousand", "k": "thousand", "K": "thousand",
    "million": "million", "m": "million", "M": "million", "mn": "million", "mm": "million", "MM": "million",
    "billion": "billion", "b": "billion", "B": "billion", "bn": "billion", "bln": "billion",
    "trillion": "trillion", "t": "trillion", "T": "trillion", "tn": "trillion", "tr": "trillion",
}
_SCALE_RE = r"(?:\s?(?P<scale>thousand|million|billion|trillion)\b|(?P<suffix>k|K|mn|mm|MM|m|M|bn|bln|b|B|tn|tr|t|T)\b)"

# symbol or ISO code -> (singular, plural, minor unit singular, minor unit plural)
_CURRENCIES: dict[str, tuple[str, str, str, str]] = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "US$": ("U-S dollar", "U-S dollars", "cent", "cents"),
    "USD": ("U-S dollar", "U-S dollars", "cent", "cents"),
    "€": ("euro", "euros", "cent", "cents"),
    "EUR": ("euro", "euros", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "GBP": ("pound", "pounds", "penny", "pence"),
    "¥": ("yen", "yen", "", ""),
    "JPY": ("yen", "yen", "", ""),
    "CHF": ("Swiss franc", "Swiss francs", "centime", "centimes"),
    "CAD": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "C$": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "AUD": ("Australian dollar", "Australian dollars", "cent", "cents"),
    "A$": ("Australian dollar", "Australian dollars", "cent", "cents"),
    "INR": ("rupee", "rupees", "paisa", "paise"),
    "₹": ("rupee", "rupees", "paisa", "paise"),
    "CNY": ("yuan", "yuan", "", ""),
}
_SYMBOLS = sorted((k for k in _CURRENCIES if not k.isalpha()), key=len, reverse=True)
_CODES = sorted((k for k in _CURRENCIES if k.isalpha()), key=len, reverse=True)
_SYMBOL_RE = "|".join(re.escape(s) for s in _SYMBOLS)
_CODE_RE = "|".join(_CODES)

# unit -> (singular, plural); matched only right after a number
_UNITS: dict[str, tuple[str, str]] = {
    "km/h": ("kilometer per hour", "kilometers per hour"), "kph": ("kilometer per hour", "kilometers per hour"),
    "mph": ("mile per hour", "miles per hour"), "km": ("kilometer", "kilometers"), "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"), "m": ("meter", "meters"), "mi": ("mile", "miles"),
    "ft": ("foot", "feet"), "kg": ("kilogram", "kilograms"), "g": ("gram", "grams"), "mg": ("milligram", "milligrams"),
    "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"), "oz": ("ounce", "ounces"),
    "ml": ("milliliter", "milliliters"), "mL": ("milliliter", "milliliters"), "L": ("liter", "liters"),
    "kWh": ("kilowatt hour", "kilowatt hours"), "MWh": ("megawatt hour", "megawatt hours"),
    "GWh": ("gigawatt hour", "gigawatt hours"), "kW": ("kilowatt", "kilowatts"), "MW": ("megawatt", "megawatts"),
    "GW": ("gigawatt", "gigawatts"), "W": ("watt", "watts"), "V": ("volt", "volts"),
    "GHz": ("gigahertz", "gigahertz"), "MHz": ("megahertz", "megahertz"), "kHz": ("kilohertz", "kilohertz"),
    "Hz": ("hertz", "hertz"), "KB": ("kilobyte", "kilobytes"), "MB": ("megabyte", "megabytes"),
    "GB": ("gigabyte", "gigabytes"), "TB": ("terabyte", "terabytes"), "PB": ("petabyte", "petabytes"),
    "ms": ("millisecond", "milliseconds"), "sec": ("second", "seconds"), "secs": ("second", "seconds"),
    "min": ("minute", "minutes"), "mins": ("minute", "minutes"), "hr": ("hour", "hours"), "hrs": ("hour", "hours"),
    "°C": ("degree Celsius", "degrees Celsius"), "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "ºC": ("degree Celsius", "degrees Celsius"), "ºF": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"), "sq ft": ("square foot", "square feet"),
    "km²": ("square kilometer", "square kilometers"),
    "m²": ("square meter", "square meters"),
}
_UNIT_RE = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))

_TITLES = {
    "Dr.": "Doctor", "Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz", "Prof.": "Professor",
    "Gen.": "General", "Gov.": "Governor", "Sen.": "Senator", "Rep.": "Representative", "Capt.": "Captain",
    "Lt.": "Lieutenant", "Col.": "Colonel", "Sgt.": "Sergeant", "Rev.": "Reverend", "Mt.": "Mount",
    "Ft.": "Fort", "Pres.": "President",
}
_AFTER_NAME = {"Jr.": "Junior", "Sr.": "Senior", "Inc.": "Incorporated", "Ltd.": "Limited",
               "Corp.": "Corporation", "Co.": "Company", "Ave.": "Avenue", "Blvd.": "Boulevard", "Rd.": "Road"}
_LATIN = [
    (r"\be\.g\.,?", "for example,"), (r"\bi\.e\.,?", "that is,"), (r"\betc\.(?=\s*$|\s+[A-Z])", "et cetera."),
    (r"\betc\.", "et cetera"),
    (r"\bet al\.", "and others."), (r"\bvs\.?(?=\s)", "versus"), (r"\bv\.(?=\s[A-Z])", "versus"),
    (r"\bapprox\.", "approximately"), (r"\bca\.(?=\s?\d)", "circa"), (r"\bc\.(?=\s?\d{4})", "circa"),
    (r"\bcf\.", "compare"), (r"\bfig\.(?=\s?\d)", "figure"), (r"\bFig\.(?=\s?\d)", "Figure"),
    (r"\bvol\.(?=\s?\d)", "volume"), (r"\bVol\.(?=\s?\d)", "Volume"), (r"\bp\.(?=\s?\d)", "page"),
    (r"\bpp\.(?=\s?\d)", "pages"), (r"\bdept\.", "department"), (r"\bDept\.", "Department"),
    (r"\bNos?\.(?=\s?\d)", "number"), (r"\bno\.(?=\s?\d)", "number"), (r"\best\.(?=\s?\d)", "established"),
]

PRONOUNCED_AS_WORDS = frozenset("""
NASA NATO UNESCO UNICEF OPEC FIFA UEFA AIDS COVID LASER RADAR SCUBA GIF JPEG PIN SIM IKEA LEGO RAM ROM
CAPTCHA NIMBY OSHA FEMA GAAP SWAT POTUS SCOTUS ZIP ISIS DARPA CERN NOAA ASCII SQL WIFI ESPN MIT CAD
OLED LED RAID SARS MERS PAC SEAL AWOL GUI BASIC COBOL FORTRAN ACID TED TIFF NAFTA ASEAN MENSA FAQ
""".split())
_CAPS_WORDS = frozenset("""
I A OK NO NOT YES NOW NEW ALL ANY ONE TWO AND THE FOR BUT OR SO TO OF ON IN AT BY BE IS IT AM ARE WAS DO
GO UP OUT OFF OUR WE WHO WHY HOW YOU HE SHE HIS HER ITS THEY THEM VERY JUST ONLY MUST MAY CAN WILL NEVER
EVER FREE BIG BEST MOST MORE LESS STOP HELP LIVE NEWS SALE WAY DAY TOP HOT
""".split())


# --- rules ------------------------------------------------------------------------------------

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str] | str]


_DETERMINERS = frozenset("a an the this that these those its their his her our your my each every".split())


def _attributive(m: re.Match[str]) -> bool:
    """'the $15 billion deal': after a determiner the amount describes a noun, so 'dollar' stays singular."""
    before = m.string[: m.start()].split()
    after = m.string[m.end():]
    return bool(before) and before[-1].lower() in _DETERMINERS and bool(re.match(r"\s+[a-z]", after))


def _money(m: re.Match[str]) -> str:
    symbol = m.group("sym") or m.group("code") or m.group("code_after")
    single, many, minor_one, minor_many = _CURRENCIES[symbol]
    if _attributive(m):
        many = single
    amount = m.group("amount")
    amount2 = m.group("amount2")
    scale = m.group("scale") or (_SCALES[m.group("suffix")] if m.group("suffix") else None)
    if scale:
        words = number(amount) + (f" to {number(amount2)}" if amount2 else "") + f" {scale} {many}"
        return words
    if amount2:
        return f"{number(amount)} to {number(amount2)} {many}"
    whole, _, cents = amount.replace(",", "").partition(".")
    if cents and len(cents) == 2 and minor_many:
        units = int(whole or "0")
        minor = int(cents)
        parts = []
        if units:
            parts.append(f"{cardinal(units)} {single if units == 1 else many}")
        if minor or not units:
            parts.append(f"{cardinal(minor)} {minor_one if minor == 1 else minor_many}")
        return " and ".join(parts)
    return f"{number(amount)} {single if _is_one(amount) else many}"


_AMOUNT = rf"(?P<amount>{NUM})(?:\s?(?:-|–|to)\s?(?:{_SYMBOL_RE})?(?P<amount2>{NUM}))?"
_MONEY = re.compile(
    rf"(?:(?P<sym>{_SYMBOL_RE})|\b(?P<code>{_CODE_RE})\s?)" + _AMOUNT + rf"{_SCALE_RE}?"
    rf"|\b{_AMOUNT.replace('amount', 'amt')}"
    rf"{_SCALE_RE.replace('scale', 'sc').replace('suffix', 'sf')}?\s(?P<code_after>{_CODE_RE})\b"
)


def _money_any(m: re.Match[str]) -> str:
    if m.group("code_after"):
        # "20 EUR": rebuild as if the code came first.
        text = f"{m.group('code_after')} {m.group('amt')}"
        if m.group("amt2"):
            text += f"-{m.group('amt2')}"
        if m.group("sc"):
            text += f" {m.group('sc')}"
        elif m.group("sf"):
            text += m.group("sf")
        return _MONEY.sub(_money, text)
    return _money(m)


def _percent(m: re.Match[str]) -> str:
    first, second = m.group(1), m.group(2)
    sign = "plus " if m.group(0).startswith("+") else ""
    if second:
        return f"{sign}{number(first)} to {number(second)} percent"
    return f"{sign}{number(first)} percent"


def _ordinal(m: re.Match[str]) -> str:
    return ordinal(int(m.group(1).replace(",", "")))


def _month(name: str) -> str:
    key = name.rstrip(".").lower()
    return _MONTH_ABBR.get(key[:4] if key.startswith("sept") else key[:3], name)


def _date_mdy(m: re.Match[str]) -> str:
    words = f"{_month(m.group('month'))} {ordinal(int(m.group('day')))}"
    if m.group("year"):
        words += f", {year(int(m.group('year')))}"
    return words


def _date_dmy(m: re.Match[str]) -> str:
    words = f"the {ordinal(int(m.group('day')))} of {_month(m.group('month'))}"
    if m.group("year"):
        words += f", {year(int(m.group('year')))}"
    return words


def _date_iso(m: re.Match[str]) -> str:
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return m.group(0)
    return f"{_MONTHS[mo - 1]} {ordinal(d)}, {year(y)}"


def _date_us_numeric(m: re.Match[str]) -> str:
    mo, d, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return m.group(0)
    if y < 100:
        y += 2000 if y < 50 else 1900
    return f"{_MONTHS[mo - 1]} {ordinal(d)}, {year(y)}"


def _month_year(m: re.Match[str]) -> str:
    return f"{_month(m.group('month'))} {year(int(m.group('year')))}"


def _clock(m: re.Match[str]) -> str:
    hour, minute = int(m.group("h")), int(m.group("min"))
    suffix = m.group("ampm")
    if hour > 23 or minute > 59:
        return m.group(0)
    if minute == 0:
        words = cardinal(hour) + ("" if suffix else " o'clock")
    elif minute < 10:
        words = f"{cardinal(hour)} oh {cardinal(minute)}"
    else:
        words = f"{cardinal(hour)} {cardinal(minute)}"
    if suffix:
        words += _ampm(m, suffix)
    return words


def _ends_sentence(m: re.Match[str]) -> bool:
    """A full stop that closes an abbreviation also closes the sentence when nothing or a capital follows."""
    rest = m.string[m.end():]
    return m.group(0).endswith(".") and (not rest.strip() or bool(re.match(r"\s+[A-Z\"“(]", rest)))


def _ampm(m: re.Match[str], suffix: str) -> str:
    words = " A-M" if suffix.lower().startswith("a") else " P-M"
    return words + ("." if _ends_sentence(m) else "")


def _hour_ampm(m: re.Match[str]) -> str:
    return cardinal(int(m.group(1))) + _ampm(m, m.group(2))


_QUARTERS = {"1": "first", "2": "second", "3": "third", "4": "fourth"}
_HALVES = {"1": "first", "2": "second"}


def _quarter(m: re.Match[str]) -> str:
    lead = m.group("lead")
    which = _QUARTERS[m.group("q")]
    y = m.group("year")
    if lead:
        words = f"{lead} the {which} quarter"
        return words + (f" of {_year_token(y)}" if y else "")
    words = f"{which} quarter"  # "Q3 2025 revenue": third quarter twenty twenty-five revenue
    return words + (f" {_year_token(y)}" if y else "")


def _half(m: re.Match[str]) -> str:
    lead = m.group("lead")
    which = _HALVES[m.group("h")]
    y = m.group("year")
    words = f"{lead} the {which} half" if lead else f"{which} half"
    return words + (f" of {_year_token(y)}" if y else "")


def _year_token(text: str) -> str:
    text = text.lstrip("'’")
    n = int(text)
    if len(text) == 2:
        return f"twenty {cardinal(n)}" if n >= 10 else f"twenty oh {cardinal(n)}" if n else "twenty hundred"
    return year(n)


def _fiscal(m: re.Match[str]) -> str:
    return f"fiscal year {_year_token(m.group(1))}"


def _decade(m: re.Match[str]) -> str:
    text = m.group(1)
    if len(text) == 4:
        return plural_number_words(year(int(text)))
    return plural_number_words(cardinal(int(text)))


def _year_range(m: re.Match[str]) -> str:
    start, end = m.group(1), m.group(2)
    if len(end) == 2:
        end = start[:2] + end
    return f"{year(int(start))} to {year(int(end))}"


def _unit(m: re.Match[str]) -> str:
    amount, unit = m.group("n"), m.group("unit")
    amount2 = m.group("n2")
    single, many = _UNITS[unit]
    if amount2:
        return f"{number(amount)} to {number(amount2)} {many}"
    return f"{number(amount)} {single if _is_one(amount) else many}"


_FRACTIONS = {(1, 2): "one half", (1, 4): "one quarter", (3, 4): "three quarters"}


def _fraction(m: re.Match[str]) -> str:
    whole = m.group("whole")
    num, den = int(m.group("num")), int(m.group("den"))
    if (num, den) == (24, 7):
        return "twenty-four seven"
    if num == den and num in (50, 100):
        return f"{cardinal(num)}-{cardinal(num)}"
    if not (0 < num < den <= 12):
        return f"{cardinal(num)} out of {cardinal(den)}" if den > 12 else f"{cardinal(num)} over {cardinal(den)}"
    if whole:
        if (num, den) == (1, 2):
            return f"{cardinal(int(whole))} and a half"
        if (num, den) == (1, 4):
            return f"{cardinal(int(whole))} and a quarter"
    if (num, den) in _FRACTIONS:
        words = _FRACTIONS[(num, den)]
    else:
        den_word = "half" if den == 2 else ordinal(den)
        words = f"{cardinal(num)} {den_word}" + ("s" if num > 1 else "")
    return f"{cardinal(int(whole))} and {words}" if whole else words


def _range(m: re.Match[str]) -> str:
    return f"{number(m.group(1))} to {number(m.group(2))}"


def _plain_number(m: re.Match[str]) -> str:
    text = m.group(0)
    digits = text.replace(",", "")
    if re.fullmatch(r"\d{4}", digits) and "," not in text and 1100 <= int(digits) <= 2099:
        return year(int(digits))
    if re.fullmatch(r"0\d+", digits):  # codes and zero-padded numbers: digit by digit
        return " ".join(_DIGITS[int(d)] for d in digits)
    return number(text)


def _lone_month(m: re.Match[str]) -> str:
    return _month(m.group(1)) + ("." if _ends_sentence(m) else "")


def _title(m: re.Match[str]) -> str:
    return _TITLES[m.group(1)] + " "


def _after_name(m: re.Match[str]) -> str:
    return m.group(1) + " " + _AFTER_NAME[m.group(2)] + ("." if _ends_sentence(m) else "")


def _saint_or_street(m: re.Match[str]) -> str:
    before, after = m.group(1), m.group(2)
    if after:  # "St. Louis", "St Paul's": a saint's name follows
        return f"{before}Saint {after}"
    return f"{before}Street" + ("." if _ends_sentence(m) else "")


def _spell(letters: str) -> str:
    return "-".join(letters)


def _initialism(m: re.Match[str]) -> str:
    letters = m.group(0).replace(".", "")
    return _spell(letters.upper())


def _caps(m: re.Match[str]) -> str:
    token, plural = m.group(1), m.group(2)
    if token in PRONOUNCED_AS_WORDS:
        return token + (plural or "")
    if not plural and token in _CAPS_WORDS:
        return token
    return _spell(token) + ("'s" if plural else "")


def _shouting(m: re.Match[str]) -> str:
    return m.group(0).capitalize() if m.start() == 0 else m.group(0).lower()


def _url(m: re.Match[str]) -> str:
    url = m.group(0).rstrip(".,;:)")
    rest = m.group(0)[len(url):]
    host = re.sub(r"^[a-z]+://", "", url, flags=re.I).split("/")[0].split("?")[0]
    host = re.sub(r"^www\.", "", host, flags=re.I)
    return " dot ".join(host.split(".")) + rest


def _email(m: re.Match[str]) -> str:
    user, host = m.group(1), m.group(2)
    user = re.sub(r"[._-]", lambda c: {".": " dot ", "_": " underscore ", "-": " dash "}[c.group(0)], user)
    return f"{user} at {' dot '.join(host.split('.'))}"


def _digits(text: str) -> str:
    return " ".join(_DIGITS[int(d)] for d in text if d.isdigit())


def _phone(m: re.Match[str]) -> str:
    """'(555) 123-4567' -> digit by digit, a pause between the groups."""
    groups = [g for g in re.split(r"[^\d]+", m.group(0)) if g]
    return ", ".join(_digits(g) for g in groups)


def _hashtag_number(m: re.Match[str]) -> str:
    return f"number {cardinal(int(m.group(1)))}"


_RULES: list[Rule] = [
    # Web addresses first, before their dots and slashes meet the number rules.
    (re.compile(r"\b([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)\b"), _email),
    (re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+", re.I), _url),
    # Latin and other abbreviations whose full stop would end a sentence for the voice.
    *[(re.compile(p), r) for p, r in _LATIN],
    (re.compile(r"\b(" + "|".join(re.escape(t) for t in _TITLES) + r")\s*(?=[A-Z])"), _title),
    (re.compile(r"(\b[A-Z][\w'-]*,?)\s+(" + "|".join(re.escape(t) for t in _AFTER_NAME) + r")(?=\W|$)"), _after_name),
    (re.compile(r"(\b[A-Z][a-z]+\s)St\.?(?=\s|$|,)()(?!\s+[A-Z][a-z])"), _saint_or_street),
    (re.compile(r"(\b|^)St\.?\s+(?=[A-Z])()"), lambda m: "Saint "),
    # Dates and times.
    (re.compile(rf"\b{_MONTH_RE}\s(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s(?P<year>\d{{4}})\b)?"), _date_mdy),
    (re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s(?:of\s)?{_MONTH_RE}(?:,?\s(?P<year>\d{{4}})\b)?"), _date_dmy),
    (re.compile(rf"\b{_MONTH_RE}\s(?P<year>\d{{4}})\b"), _month_year),
    (re.compile(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.(?=\s|$|,)"), _lone_month),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), _date_iso),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b"), _date_us_numeric),
    (re.compile(r"\b(?P<h>\d{1,2}):(?P<min>\d{2})(?:\s?(?P<ampm>[aApP]\.?[mM]\.?)(?=\W|$))?"), _clock),
    (re.compile(r"\b(\d{1,2})\s?([aApP]\.[mM]\.|[aApP][mM]\b)"), _hour_ampm),
    (re.compile(r"(?:(?P<lead>\b(?i:in|during|for|by|since|of|through|until|from|over|before|after))\s)?"
                r"\bQ(?P<q>[1-4])\b(?:\s?(?P<year>(?:19|20)\d{2}|'\d{2}))?"), _quarter),
    (re.compile(r"(?:(?P<lead>\b(?i:in|during|for|by|since|of|through|until|from|over|before|after))\s)?"
                r"\bH(?P<h>[12])\b(?:\s?(?P<year>(?:19|20)\d{2}|'\d{2}))?"), _half),
    (re.compile(r"\bFY\s?((?:19|20)?\d{2})\b"), _fiscal),
    (re.compile(r"\b(1[1-9]\d{2}|20\d{2})\s?[-–—]\s?(1[1-9]\d{2}|20\d{2}|\d{2})\b(?![-–/])"), _year_range),
    (re.compile(r"(?<![\d.])(?:\b|')(1[0-9]\d0|20[0-9]0|[2-9]0)s\b"), _decade),
    # Money, percentages, multipliers, units.
    (_MONEY, _money_any),
    (re.compile(rf"[+]?({NUM})\s?(?:%|percent\b)?\s?(?:-|–|to)\s?({NUM})\s?%|[+]?({NUM})\s?%"),
     lambda m: _percent_any(m)),
    (re.compile(rf"\b({NUM})\s?[x×X](?=\W|$)"), lambda m: f"{number(m.group(1))} times"),
    (re.compile(rf"(?<![\w.])(?P<n>[-−]?(?:{NUM}))(?:\s?(?:-|–|to)\s?(?P<n2>{NUM}))?\s?(?P<unit>{_UNIT_RE})"
                rf"(?=[\s,.;:!?)]|$)"), _unit),
    # Ordinals, fractions, numbered things, ranges.
    (re.compile(r"\b(\d{1,3}(?:,\d{3})*|\d+)(?:st|nd|rd|th)\b"), _ordinal),
    (re.compile(r"(?:\b(?P<whole>\d+)\s)?\b(?P<num>\d+)/(?P<den>\d+)\b"), _fraction),
    (re.compile(r"#(\d+)\b"), _hashtag_number),
    (re.compile(r"(?<![\w-])(?:\+\d{1,3}[\s.-])?(?:\(\d{3}\)\s?|\d{3}[\s.-])?\d{3}-\d{4}\b"), _phone),
    (re.compile(r"(?<![\w.])(\d+\.\d+)s\b"), lambda m: f"{number(m.group(1))} seconds"),
    (re.compile(rf"(?<![\w.])({NUM})\s?[–—-]\s?({NUM})\b"), _range),
    # Remaining numbers, then initialisms and capitals, then stray symbols.
    (re.compile(rf"(?<![\w.])[-−](?=\d)(?:{NUM})|(?<![\w])(?:{NUM})"), _plain_number),
    (re.compile(r"\bPh\.\s?D\.?"), "P-H-D"),
    (re.compile(r"\b(?:[A-Za-z]\.){2,}(?![A-Za-z])"), _initialism),
    (re.compile(r"\b([A-Z]{2,}(?:\s+[A-Z]{2,}){2,})\b"), _shouting),
    (re.compile(r"\b([A-Z]{2,5})(s)?\b"), _caps),
    (re.compile(r"\s*&\s*"), " and "),
    (re.compile(r"\s*\+\s*(?=\w)"), " plus "),
    (re.compile(r"\s=\s"), " equals "),
    (re.compile(r"%"), " percent"),
    (re.compile(r"\band/or\b"), "and or"),
    (re.compile(r"\bw/(?=\s)"), "with"),
    (re.compile(r"(?<=\w)/(?=\w)"), " or "),
    (re.compile(r"~\s?"), "about "),
    (re.compile(r"°"), " degrees"),
]


def _percent_any(m: re.Match[str]) -> str:
    if m.group(3):
        sign = "plus " if m.group(0).startswith("+") else ""
        return f"{sign}{number(m.group(3))} percent"
    return _percent(m)


def normalise_english(text: str) -> str:
    """Say numbers, money, dates, times, units, abbreviations and symbols the way a narrator would."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
