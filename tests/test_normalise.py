"""English speech normalisation: what a careful narrator says."""

from __future__ import annotations

import pytest

from articast.script import to_spoken
from articast.script.normalise import normalise_english

CASES = [
    # money: the amount, then the scale, then the currency word
    ("It will pay $1.25 billion a month.", "It will pay one point two five billion dollars a month."),
    ("They raised $15 billion.", "They raised fifteen billion dollars."),
    ("The $15 billion deal closed.", "The fifteen billion dollar deal closed."),
    ("It costs $3.50 or $0.99 or $1.", "It costs three dollars and fifty cents or ninety-nine cents or one dollar."),
    ("Revenue hit €20M and £1.2bn.", "Revenue hit twenty million euros and one point two billion pounds."),
    ("Fines of 20 EUR and USD 5 million.", "Fines of twenty euros and five million U-S dollars."),
    ("A $300K salary.", "A three hundred thousand dollar salary."),
    ("Budgets of $5-10 million.", "Budgets of five to ten million dollars."),
    ("It sold for $1,200.", "It sold for one thousand two hundred dollars."),
    # percentages, multipliers, ranges, fractions
    ("Growth was 45% and 3.5%.", "Growth was forty-five percent and three point five percent."),
    ("Up 5-10% on the year.", "Up five to ten percent on the year."),
    ("It spent 7x more.", "It spent seven times more."),
    ("Read pages 10-20.", "Read pages ten to twenty."),
    ("Add 1/2 cup, then 3/4, then 2 1/2 more.", "Add one half cup, then three quarters, then two and a half more."),
    ("Open 24/7.", "Open twenty-four seven."),
    # units
    ("It is 5 km away and weighs 10kg.", "It is five kilometers away and weighs ten kilograms."),
    ("Cars do 60 mph; it is 30°C and -5 °C.", "Cars do sixty miles per hour; it is thirty degrees Celsius and minus five degrees Celsius."),
    ("A 1 km walk.", "A one kilometer walk."),
    # years, dates, times, quarters
    ("In 2026 and in 1999 and in 1905.", "In twenty twenty-six and in nineteen ninety-nine and in nineteen oh-five."),
    ("Back in 2005.", "Back in two thousand five."),
    ("From 2020-2025 and 2020–25.", "From twenty twenty to twenty twenty-five and twenty twenty to twenty twenty-five."),
    ("In the 1990s and the '80s.", "In the nineteen nineties and the eighties."),
    ("On March 3, 2025 we met.", "On March third, twenty twenty-five we met."),
    ("On 3 March 2025 we met.", "On the third of March, twenty twenty-five we met."),
    ("Due 2025-03-03.", "Due March third, twenty twenty-five."),
    ("By Dec. 1 at the latest.", "By December first at the latest."),
    ("At 7:30 a.m. sharp.", "At seven thirty A-M sharp."),
    ("Doors open at 5 p.m. Bring a coat.", "Doors open at five P-M. Bring a coat."),
    ("At 10:00 and 7:05.", "At ten o'clock and seven oh five."),
    ("In Q3 2025, sales rose.", "In the third quarter of twenty twenty-five, sales rose."),
    ("Q4 revenue fell.", "fourth quarter revenue fell."),
    ("Targets for FY2024.", "Targets for fiscal year twenty twenty-four."),
    ("Q3 2025 revenue rose.", "third quarter twenty twenty-five revenue rose."),
    ("A warm spell in Nov. can fool it; from late Oct. to March.", "A warm spell in November can fool it; from late October to March."),
    ("Jane Smith, Ph.D., and Al Wu, M.D., agreed.", "Jane Smith, P-H-D, and Al Wu, M-D, agreed."),
    # ordinals, counts, symbols
    ("She was 1st, he 2nd, they 23rd.", "She was first, he second, they twenty-third."),
    ("We're #1 with 1,234,567 users.", "We're number one with one million two hundred thirty-four thousand five hundred sixty-seven users."),
    ("Pi is 3.14.", "Pi is three point one four."),
    ("Salt & pepper, and/or vinegar.", "Salt and pepper, and or vinegar."),
    # titles, abbreviations, initialisms and acronyms
    ("Dr. Smith met Mr. Jones.", "Doctor Smith met Mister Jones."),
    ("St. Louis is on Main St.", "Saint Louis is on Main Street."),
    ("Fruit, e.g. apples, i.e. the best, etc.", "Fruit, for example, apples, that is, the best, et cetera."),
    ("Us vs. them.", "Us versus them."),
    ("The U.S. and NASA and the FBI.", "The U-S and NASA and the F-B-I."),
    ("GPUs for AI models.", "G-P-U's for A-I models."),
    ("WHAT THIS MEANS FOR YOU", "What this means for you"),
    # addresses
    ("See https://www.example.com/a/b?c=1 now.", "See example dot com now."),
    ("Write to jane.doe@example.org today.", "Write to jane dot doe at example dot org today."),
]


@pytest.mark.parametrize("written, spoken", CASES)
def test_said_as_a_narrator_says_it(written: str, spoken: str):
    assert normalise_english(written) == spoken


def test_emoji_and_decoration_are_dropped():
    assert to_spoken("Great news 🎉🎉 ★ — really **good**") == "Great news, really good"


def test_other_languages_pass_through_unchanged():
    # (French was passed through before issue 34; it now has its own rules, tested in test_locales.py.)
    assert to_spoken("Den 3 mars, 45 % av folket.", language="sv") == "Den 3 mars, 45 % av folket."
    assert to_spoken("It was 45%.", language="en-GB") == "It was forty-five percent."


def test_lexicon_is_said_exactly_as_given():
    lexicon = {"SpaceX": "Space X", "anthropic": "an-THROP-ic", "SQL": "sequel"}
    assert to_spoken("SpaceX and Anthropic use SQL.", lexicon=lexicon) == "Space X and an-THROP-ic use sequel."
    # Only whole words: 'Anthropics' and 'SpaceXs' are left alone.
    assert to_spoken("Anthropics", lexicon=lexicon) == "Anthropics"


def test_no_digits_left_in_a_dense_text():
    dense = ("On Jan. 5, 2024 at 9:15 a.m., Acme Corp. reported Q2 revenue of $4.7B, up 12% from 2023; "
             "its CEO, Dr. Lee, said 3x growth in the 2nd half was possible, with 1,500 staff in 12 U.S. cities.")
    spoken = normalise_english(dense)
    assert not any(ch.isdigit() for ch in spoken), spoken
    assert "four point seven billion dollars" in spoken and "twelve percent" in spoken
