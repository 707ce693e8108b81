"""The scanner's lexer reads what the earlier scanner's single regular expression read,
at every position of random hostile texts, and a plain run passes over whole tokens
only, none of which could start a reading of its own or hold a watched word.

The earlier expression (``OLD_TOKEN``, copied from policykg/runtime/sparqlscan.py before
the linear walk) is the reference: the audit of ~700 000 hostile queries was made with it.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from policykg.runtime.sparqllex import WATCHED_WORDS, Lexer

# --- the earlier lexer, as it was -----------------------------------------------
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_PN_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_IRIREF = r"<((?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>"
OLD_SPACE = re.compile(r"(?:[ \t\r\n]|#[^\r\n]*)*")
OLD_TOKEN = re.compile(
    "|".join(
        [
            f"(?P<iri>{_IRIREF})",
            r"(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
            r'|"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
            r"|'(?:[^'\\\n\r]|\\.)*'"
            r'|"(?:[^"\\\n\r]|\\.)*")',
            f"(?P<bnode>_:(?:[{_U}0-9])(?:[{_CHARS}.]*[{_CHARS}])?)",
            f"(?P<pname>(?P<prefix>{_PN_PREFIX})?:(?P<local>{_PN_LOCAL})?)",
            f"(?P<var>[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
            r"(?P<number>[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)",
            r"(?P<lang>@[A-Za-z][A-Za-z0-9-]*)",
            r"(?P<punct>[\s\S])",
        ]
    )
)
_OLD_KINDS = {"iri": "iri", "string": "string", "bnode": "bnode", "pname": "pname", "prefix": "pname",
              "local": "pname", "word": "word", "var": "other", "number": "other", "lang": "other", "punct": "punct"}  # fmt: skip


def old_lex(text: str, pos: int) -> tuple[str, int]:
    match = OLD_TOKEN.match(text, pos)
    return _OLD_KINDS[match.lastgroup], match.end()


# --- hostile texts ------------------------------------------------------------------
PIECES = [
    "<", ">", "'", '"', "'''", '"""', "#", "\n", "\r", "\\", ":", "_:", "?", "$", "@", ".", "-", "+", "!",
    "a", "b", "e", "1", "5", "x:", "%41", "%g", "\\~", "\\'", "\\u0041", "\\n", " ", "{", "}", "(", ")",
    "[", "]", ",", ";", "&", "|", "<<", ">>", "é", "\u00b7", "SERVICE", "service", "LOAD", "PREFIX",
    "true", "FILTER", "AS", "with", "en-US", "http://a/b#c", "SELECT",
]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=800, deadline=None, database=None, derandomize=True)
@given(texts)
def test_every_position_is_read_as_the_earlier_lexer_read_it(text):
    lexer = Lexer(text)
    for pos in range(len(text)):
        if text[pos] in " \t\r\n":
            continue
        kind, end, _ = lexer.lex(pos)
        assert (kind, end) == old_lex(text, pos), (text, pos)


@settings(max_examples=800, deadline=None, database=None, derandomize=True)
@given(texts)
def test_skipping_space_and_comments_is_as_before(text):
    lexer = Lexer(text)
    for pos in range(len(text)):
        assert lexer.skip(pos) == OLD_SPACE.match(text, pos).end(), (text, pos)


def _plain(text: str, kind: str, start: int, end: int) -> bool:
    """Could a token of the earlier lexer be passed over without a look?"""
    token = text[start:end]
    if kind in ("pname", "bnode"):
        return False
    if kind == "iri":  # its other reading must end at its '>', and cannot be valid code
        return not re.search(r"['\"#()\[\]&,;\\]|[!+-]{2}", token[1:-1])
    if kind == "string":
        return "\\" not in token
    if kind == "word":
        return not any(word in token.upper() for word in WATCHED_WORDS)
    return True


@settings(max_examples=800, deadline=None, database=None, derandomize=True)
@given(texts)
def test_a_plain_run_is_whole_tokens_that_cannot_matter(text):
    lexer = Lexer(text)
    for start in range(len(text)):
        if text[start] in " \t\r\n#":
            continue
        end = lexer.plain_run(start)
        pos = start
        while pos < end:
            kind, token_end = old_lex(text, pos)
            assert token_end <= end, (text, start, "the run ends inside a token")
            assert _plain(text, kind, pos, token_end), (text, start, kind, text[pos:token_end])
            pos = token_end
            while pos < end and text[pos] in " \t\r\n":
                pos += 1
            assert not (pos < end and text[pos] == "#"), (text, start, "a plain run holds a comment")
        assert pos == end, (text, start)
