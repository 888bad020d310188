"""The content hash of a text never changes with how it is computed: stored versions are compared by it."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from db.repository import content_hash, normalise_text

# Full-width and ASCII forms, CJK, spaces of every kind, combining marks, Hangul jamo that compose, and other
# compatibility characters (circled digits, units, ligatures, an ellipsis, half-width katakana and its voicing mark)
ALPHABET = (
    "２０２５ＧＤＰ％：，（）！？ａｚＡＺ～"
    "2025GDP%:,()!?azAZ~ 年全市增长左右新增就业。、“”《》—"
    "\u3000\xa0\t\n\r\u2003\u200b"
    "e\u0301\u0308\u0327\u0323"
    "\u1100\u1161\u11a8한"
    "①㎡ﬁ…ｶﾞｶ\uff9e"
)


def by_definition(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_normalised_text_is_nfkc_with_spaces_folded(text: str) -> None:
    assert normalise_text(text) == by_definition(text)


def test_hashes_of_stored_texts_stay_as_they_were() -> None:
    mixed = "２０２５年，全市ＧＤＰ增长５％左右。\u3000新增就业８万人：\xa0完成①项ﬁ…\n\n  第二段 e\u0301 한국어"
    assert content_hash(mixed) == "71428582981b18a83c8dbca18e0e341af32f086ba4c7f1b56ef24dd64e92f142"
    plain = "第1号文件：全市地区生产总值增长5%左右，研发经费投入强度达到3.2%。"
    assert content_hash(plain) == "8ca961c90417978fafcab4c02dbb0699459b307d1382c57343ff5e1b78419aad"
