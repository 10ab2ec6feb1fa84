"""Paragraphs of the packages' PDF summaries are set ragged right: fpdf2 justifies by default,
which stretched a line of Chinese followed by a long Latin word (a file name, a URL) into words
with wide gaps (seen on a referral's cover page in the demo)."""

from __future__ import annotations

import pypdfium2

from monitor.export.pdf import SummaryPDF


def _widest_gap(data: bytes) -> float:
    """The widest space between two characters on one line of the paragraph (in points)."""
    pdf = pypdfium2.PdfDocument(data)
    try:
        text = pdf[0].get_textpage()
        chars = text.get_text_range()
        boxes = [(c, text.get_charbox(i)) for i, c in enumerate(chars[:text.count_chars()])]
    finally:
        pdf.close()
    start = chars.index("于")  # the paragraph, after the running header
    lines: list[list[tuple]] = []
    for c, box in boxes[start:]:
        if c in "\r\n":
            continue
        if lines and abs(box[1] - lines[-1][0][1]) < 4:  # the same line (bottoms differ by glyph)
            lines[-1].append(box)
        else:
            lines.append([box])
    assert len(lines) >= 3, len(lines)
    return max(b[0] - a[2] for line in lines for a, b in zip(line, line[1:]))


def test_a_paragraph_of_chinese_and_long_latin_words_is_not_stretched():
    doc = SummaryPDF("线索移送")
    doc.add_page()
    doc.para("于 2026年12月8日 01:04 UTC 使用 listing-monitor 0.1.0 制作。 共 1 条商品（经审核确认 1 条），涉及平台 "
             "kuaigou；商标 Denghai；发现时间 2026年12月8日至2026年12月8日。 package/referral.json 以数据形式载明以上"
             "全部内容（格式 listing-monitor/referral-2）。 本证据包中每个文件及其 SHA-256 均列于 datapackage.json，"
             "该清单已在 datapackage-digest.json 中签名。")
    widest = _widest_gap(bytes(doc.output()))
    assert widest < 8, widest  # points: a space and a full stop's own room are under 7; justified, ~30
