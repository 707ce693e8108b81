"""Names of organisations and places, made comparable across spellings and languages.

``normalise`` reduces a name to the words that identify it: lower case without
accents and punctuation; Swedish and English variants of the same word made one
("universitet" and "University" are ``univ``, "Municipality" is ``kommun``, and so
is a near miss of such a word ("Univeristet"),
"County Administrative Board of" is ``lansstyrelsen``); the legal form ("AB",
"Ekonomisk förening") and small words ("i", "of", "the") dropped; and the
county's genitive undone ("Västerbottens län" is ``vasterbotten``, as in
"Länsstyrelsen Västerbotten"); and the words put in alphabetical order (the same words in
another order are the same name). ``similarity`` compares two normalised names word
by word, in any order (rapidfuzz's token sort ratio, an edit distance), from 0 to 1.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz, process

#: Phrases of one language rendered as the other's, before the words are compared (lower case, no accents).
PHRASES = (
    ("county administrative board of", "lansstyrelsen"),
    ("county administrative board", "lansstyrelsen"),
    ("swedish university of agricultural sciences", "sveriges lantbruksuniversitet"),
    ("international centre for local democracy", "internationellt centrum for lokal demokrati"),
    ("european commission", "europeiska kommissionen"),
    ("city of", "stad"),
    ("university of", "univ"),
)
#: Words of either language (or Finnish and Norwegian) made one.
WORDS = {
    "universitet": "univ", "universitetet": "univ", "university": "univ", "universitat": "univ", "yliopisto": "univ",
    "kommun": "kommun", "kommune": "kommun", "municipality": "kommun", "kunta": "kommun",
    "stad": "stad", "city": "stad", "town": "stad", "kaupunki": "stad",
    "county": "lan", "lan": "lan", "laen": "lan",
    "region": "region", "regionen": "region",
    "stift": "stiftelsen", "stiftelse": "stiftelsen",
}
#: Words that say what kind of thing it is, not which one: compared apart from the rest.
GENERIC = frozenset({"univ", "kommun", "stad", "lan", "region", "lansstyrelsen", "stiftelsen", "hogskola", "landsting"})
#: A word this close to a word of :data:`WORDS` (and as long as 6 letters) is taken for it: a typo.
TYPO = 0.85
#: Names of different kinds ("Region Västerbotten", "Västerbotten") are this much less alike.
KIND_PENALTY = 0.9

#: Legal forms and small words, dropped.
DROPPED = frozenset({
    "ab", "aktiebolag", "hb", "kb", "inc", "ltd", "oy", "gmbh", "asa", "as",
    "ekonomisk", "ekonomiska", "forening", "foren", "ek", "for", "ideell",
    "i", "in", "of", "the", "och", "and", "av", "pa",
})


def fold(text: str) -> str:
    """Lower case, without accents, punctuation as spaces."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", ascii_text).strip()


def normalise(name: str) -> str:
    """The words of a name that identify it, in a canonical form (see the module's description)."""
    text = f" {fold(name)} "
    for phrase, replacement in PHRASES:
        text = text.replace(f" {phrase} ", f" {replacement} ")
    words = [_word(word) for word in text.split()]
    kept: list[str] = []
    for word in words:
        if word == "lan" and kept and not kept[-1] == "lansstyrelsen":
            kept[-1] = kept[-1][:-1] if kept[-1].endswith("s") else kept[-1]  # "vasterbottens lan" -> "vasterbotten"
            continue
        if word not in DROPPED:
            kept.append(word)
    return " ".join(sorted(kept))


def _word(word: str) -> str:
    if word in WORDS:
        return WORDS[word]
    if len(word) >= 6:
        close = process.extractOne(word, WORDS.keys(), scorer=fuzz.ratio, score_cutoff=TYPO * 100)
        if close is not None:
            return WORDS[close[0]]
    return word


def similarity(a: str, b: str) -> float:
    """How alike two normalised names are, 0 to 1, whatever the order of their words.

    Names of the same kind (the same generic words: "kommun", "univ" ...) are compared
    by the words that tell them apart ("Umeå kommun" and "Kumla kommun" are as alike as
    "Umeå" and "Kumla"); names of different kinds as a whole, less :data:`KIND_PENALTY`."""
    if not a or not b:
        return 0.0
    words_a, words_b = a.split(), b.split()
    generic_a = sorted(w for w in words_a if w in GENERIC)
    generic_b = sorted(w for w in words_b if w in GENERIC)
    specific_a = " ".join(w for w in words_a if w not in GENERIC)
    specific_b = " ".join(w for w in words_b if w not in GENERIC)
    if generic_a == generic_b and specific_a and specific_b:
        return fuzz.token_sort_ratio(specific_a, specific_b) / 100.0
    return fuzz.token_sort_ratio(a, b) / 100.0 * KIND_PENALTY
