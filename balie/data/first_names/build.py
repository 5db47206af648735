"""Rebuild names.txt, the vraagbaak guard's list of common first names (run by hand, not by the app).

    python balie/data/first_names/build.py NAM_DICT WORDLIST > balie/data/first_names/names.txt

NAM_DICT: nam_dict.txt 1.2 (2008-11-30) by Jörg Michael, GNU FDL 1.2 or later, as shipped in the
PyPI package gender-guesser 0.4.0 (gender_guesser/data/nam_dict.txt, sha256 bfe79b1f…). It gives,
per first name, how common it is in 55 countries on a scale of 1 (rare) to 13 (at least 2 % of
the population, each step a factor of two).
WORDLIST: the OpenTaal Dutch word list (BSD or CC BY 3.0), Debian package wdutch,
/usr/share/dict/nederlands: only used to mark names that are also an ordinary Dutch word.

Chosen: every name known in the Netherlands with a frequency of at least 2, and the names that
are common (≥ 7 in Turkey and in Arabia/Persia, ≥ 8 in Poland, ≥ 9 in Ukraine) where many parents
in the Netherlands come from. Marked with "*" (ambiguous): a name that is also a lower-case Dutch
word ("Roos", "Dan", "Wil"), a common English word, or shorter than three letters; the guard
counts those only next to a surname or after "mevrouw", "cliënte" and the like.
"""

from __future__ import annotations

import sys
from pathlib import Path

COLUMNS = {"netherlands": 10, "poland": 23, "ukraine": 41, "turkey": 46, "arabia_persia": 47}
MINIMUM = {"netherlands": 2, "turkey": 7, "arabia_persia": 7, "poland": 8, "ukraine": 9}
ENGLISH_WORDS = {
    "April",
    "Art",
    "Bill",
    "Bob",
    "Can",
    "Carol",
    "Chance",
    "Chase",
    "Dawn",
    "Don",
    "Faith",
    "Frank",
    "Grace",
    "Guy",
    "Holly",
    "Hope",
    "Jack",
    "Joy",
    "June",
    "Mark",
    "May",
    "Miles",
    "Nick",
    "Pat",
    "Penny",
    "Ray",
    "Rich",
    "Rob",
    "Rose",
    "Ruby",
    "Sue",
    "Summer",
    "Will",
}
HEADER = """\
# Balie: common first names for the vraagbaak's privacy guard.
# A modified version of nam_dict.txt 1.2 (2008-11-30), Copyright (c) 2007-2008 Jörg Michael,
# released under the GNU Free Documentation License, Version 1.2 or any later version published
# by the Free Software Foundation; with no Invariant Sections, no Front-Cover Texts, and no
# Back-Cover Texts. A copy of the licence is in GFDL-1.2.txt next to this file.
#
# History: 2026-12, Balie: selected the names common in the Netherlands (and the most common in
# Turkey, Arabia/Persia, Poland and Ukraine) from nam_dict.txt as shipped in gender-guesser 0.4.0,
# dropped the frequencies and genders, and marked with "*" the names that are also an ordinary
# word (OpenTaal word list, BSD / CC BY 3.0) or shorter than three letters. See build.py.
#
# One name a line; "Name *" = counted only next to a surname or after an honorific.
"""


def common_names(nam_dict: Path) -> set[str]:
    chosen: set[str] = set()
    for line in nam_dict.read_text(encoding="utf-8").splitlines():
        if line[:1] not in "MF?1" or len(line) <= 30 or line[29] == "+":
            continue
        name = line[3:29].strip()
        if "+" in name or " " in name:
            continue
        for country, column in COLUMNS.items():
            mark = line[30 + column] if len(line) > 30 + column else " "
            if mark.strip() and int(mark, 16) >= MINIMUM[country]:
                chosen.add(name)
    return chosen


def main(nam_dict: str, wordlist: str) -> None:
    words = {w for w in Path(wordlist).read_text(encoding="utf-8").split() if w[:1].islower()}
    print(HEADER, end="")
    for name in sorted(common_names(Path(nam_dict)), key=lambda n: (n.casefold(), n)):
        ambiguous = len(name) < 3 or name.casefold() in words or name in ENGLISH_WORDS
        print(f"{name} *" if ambiguous else name)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
