"""Names that denote the same thing: aliases, acronyms and short forms.

Conflict detection asks :func:`same_entity` before it reports two names as
disagreeing, so "Islamic State" / "IS" / "Daesh", "U.S." / "United States" /
"America" or "Bashar al-Assad" / "Assad" never become a conflict.

>>> same_entity("Islamic State", "Daesh"), same_entity("U.N.", "United Nations")
(True, True)
>>> same_entity("Syria", "Iraq")
False
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# One group per real-world entity; the first name is the canonical key. Only
# aliases that a generic rule (acronym, short form) would miss need listing.
_GROUPS: list[list[str]] = [
    ["islamic state", "is", "isis", "isil", "daesh", "da'esh", "islamic state group",
     "islamic state of iraq and the levant", "islamic state of iraq and syria",
     "islamic state in iraq and syria", "so-called islamic state"],
    ["united states", "us", "usa", "u.s", "america", "united states of america", "washington"],
    ["united nations", "un"],
    ["european union", "eu"],
    ["bashar al assad", "assad", "al assad", "bashar assad", "president assad"],
    ["north atlantic treaty organization", "nato", "north atlantic treaty organisation"],
    ["russia", "russian federation", "moscow"],
    ["china", "people's republic of china", "prc", "beijing"],
    ["soviet union", "ussr"],
    ["al qaeda", "al qaida", "al-qaida", "alqaeda", "al-qaeda"],
    ["hezbollah", "hizbollah", "hizbullah"],
    ["kyiv", "kiev"],
    ["france", "french", "paris"],
    ["germany", "german", "berlin"],
    ["britain", "british", "uk", "united kingdom", "great britain", "london"],
    ["netherlands", "dutch", "holland"],
    ["spain", "spanish", "madrid"],
    ["myanmar", "burma"],
    ["new york city", "nyc", "new york"],
    ["world health organization", "who", "world health organisation"],
    ["international monetary fund", "imf"],
    ["federal bureau of investigation", "fbi"],
    ["european central bank", "ecb"],
]

# Capital-city metonyms ("Washington said", "Moscow denied") are aliases of
# their governments above; these stay distinct as places when compared with
# each other (Washington vs Moscow is a conflict, Washington vs US is not).

_ALIAS: dict[str, str] = {}
for _group in _GROUPS:
    for _name in _group:
        _ALIAS[_name] = _group[0]

# Words that may be dropped without changing the referent.
_DROP = frozenset({"the", "of", "and", "for", "group", "'s", "s", "mr", "mrs", "ms", "dr"})
TITLES = frozenset({
    "president", "prime", "minister", "secretary", "foreign", "defense", "defence", "state",
    "general", "gen", "chancellor", "king", "queen", "prince", "senator", "sen", "governor",
    "gov", "mayor", "chief", "executive", "spokesman", "spokeswoman", "spokesperson",
    "ambassador", "commander", "colonel", "col", "lieutenant", "lt", "sheikh", "pope",
    "judge", "justice", "rep", "representative", "vice", "deputy", "leader", "officer",
})
_SPACE = re.compile(r"[\s\-‐‑–—_/]+")


@lru_cache(maxsize=8192)
def canonical(name: str) -> str:
    """A case- and punctuation-folded key for one name; aliases share a key.

    >>> canonical("U.S."), canonical("Bashar Al Assad"), canonical("Libya’s")
    ('united states', 'bashar al assad', 'libya')
    """
    s = unicodedata.normalize("NFKC", name).casefold().replace("’", "'")
    s = re.sub(r"'s$|'$", "", s.strip())
    s = s.replace(".", "")
    s = _SPACE.sub(" ", s).strip(" ,;:()\"'")
    if s.startswith("the "):
        s = s[4:]
    return _ALIAS.get(s, s)


def _words(key: str) -> list[str]:
    return [w for w in key.split() if w not in _DROP]


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w)


@lru_cache(maxsize=8192)
def same_entity(x: str, y: str) -> bool:
    """True when two names plausibly denote the same entity.

    Rules: same canonical key (aliases included); one is the acronym of the
    other; one's words are a subset of the other's once titles are dropped
    ("John Kerry" / "Kerry", "Bashar al-Assad" / "Assad").

    >>> same_entity("John Kerry", "Secretary of State John Kerry"), same_entity("Kerry", "Fabius")
    (True, False)
    """
    kx, ky = canonical(x), canonical(y)
    if not kx or not ky:
        return False
    if kx == ky:
        return True
    wx, wy = _words(kx), _words(ky)
    if not wx or not wy:
        return False
    if len(wx) == 1 and len(wy) == 1 and _demonym(wx[0], wy[0]):
        return True
    if len(wx) == 1 and len(wx[0]) >= 2 and len(wy) >= 2 and wx[0] == _initials(wy):
        return True
    if len(wy) == 1 and len(wy[0]) >= 2 and len(wx) >= 2 and wy[0] == _initials(wx):
        return True
    sx = {w for w in wx if w not in TITLES} or set(wx)
    sy = {w for w in wy if w not in TITLES} or set(wy)
    return sx <= sy or sy <= sx


def _demonym(x: str, y: str) -> bool:
    """"Syria" / "Syrian", "Iraq" / "Iraqi", "China" / "Chinese"."""
    short, long_ = (x, y) if len(x) <= len(y) else (y, x)
    if len(short) < 4 or len(long_) - len(short) > 4:
        return False
    stem = short[:-1] if short[-1] in "aeiouy" else short
    return long_.startswith(stem) and long_[len(stem):] in _DEMONYM_ENDINGS or \
        long_.startswith(short) and long_[len(short):] in _DEMONYM_ENDINGS


_DEMONYM_ENDINGS = frozenset({"n", "an", "ian", "i", "ese", "ish", "ic", "ean", "ite"})


def is_alias_swap(x: str, y: str) -> bool:
    """Different words for the same entity ("IS" / "Daesh")."""
    return x.strip() != y.strip() and same_entity(x, y)
