"""Every message a person reads has its Chinese: the zh_CN catalogue of each area holds a
translation of every message its sources use (monitor.i18n.catalogues check), and the tooling
itself finds a message that lacks one, compiles, and an installed copy without .mo files still
speaks Chinese."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from monitor import i18n
from monitor.i18n import catalogues

ROOT = Path(__file__).resolve().parents[1]


def test_every_message_of_every_area_has_its_zh_cn_translation():
    problems = catalogues.check()
    assert not problems, "\n".join(map(str, problems)) + (
        "\nrun `python -m monitor.i18n.catalogues update AREA` and translate the empty msgstr entries")


def test_the_review_app_messages_are_extracted():
    # The check above could pass on an extractor that finds nothing: the web area has hundreds.
    ids = [m.id for m in catalogues.extract("web") if m.id]
    assert len(ids) > 150, len(ids)
    assert {"Queue", "Record verdict", "confirmed counterfeit", "Not Found"} <= set(ids)


def _source_tree(tmp_path: Path) -> Path:
    (tmp_path / "monitor/web/templates").mkdir(parents=True)
    (tmp_path / "monitor/web/thing.py").write_text(
        'a = _("Queue is empty")\nb = ngettext("%(num)d flag", "%(num)d flags", 2)\nc = _("Saved %(n)s", n=1)\n',
        encoding="utf-8")
    (tmp_path / "monitor/web/templates/page.html").write_text(
        '<h1>{{ _("Open flags") }}</h1>\n{% trans n=3 %}{{ n }} days left{% endtrans %}\n', encoding="utf-8")
    # Claimed by the complaints area first, although monitor/web/**/*.py also matches it.
    (tmp_path / "monitor/web/complaints.py").write_text('x = _("Complaint saved")\n', encoding="utf-8")
    return tmp_path


def test_check_names_each_missing_untranslated_fuzzy_and_broken_message(tmp_path):
    root, locale_dir = _source_tree(tmp_path), tmp_path / "locale"
    problems = catalogues.check(["web"], root, locale_dir)
    assert {(p.where, p.what) for p in problems} == {
        ("monitor/web/thing.py:1", "missing"), ("monitor/web/thing.py:2", "missing"),
        ("monitor/web/thing.py:3", "missing"), ("monitor/web/templates/page.html:1", "missing"),
        ("monitor/web/templates/page.html:2", "missing")}
    assert catalogues.update("web", root, locale_dir) == (5, 5)
    po = catalogues.po_path("web", locale_dir)
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgid "Queue is empty"\nmsgstr ""', 'msgid "Queue is empty"\nmsgstr "队列为空"')
    text = text.replace('msgid "Open flags"\nmsgstr ""', '#, fuzzy\nmsgid "Open flags"\nmsgstr "待处理"')
    text = text.replace('msgid "Saved %(n)s"\nmsgstr ""', 'msgid "Saved %(n)s"\nmsgstr "已保存 %(m)s"')
    po.write_text(text, encoding="utf-8")
    found = {(p.where.split("/")[-1], p.what.split(" (")[0]) for p in catalogues.check(["web"], root, locale_dir)}
    assert ("thing.py:1", "missing") not in found and ("thing.py:1", "untranslated") not in found
    assert ("page.html:1", "fuzzy") in found
    assert ("thing.py:2", "untranslated") in found
    assert any(what == "bad translation" for _, what in found), found
    assert "complaints" not in {p.area for p in catalogues.check(["web"], root, locale_dir)}
    assert [m.id for m in catalogues.extract("complaints", root) if m.id] == ["Complaint saved"]
    # Updating again keeps what was typed.
    catalogues.update("web", root, locale_dir)
    assert 'msgstr "队列为空"' in po.read_text(encoding="utf-8")


def test_compile_refuses_a_translation_that_does_not_fit_and_writes_a_mo(tmp_path):
    root, locale_dir = _source_tree(tmp_path), tmp_path / "locale"
    catalogues.update("web", root, locale_dir)
    po = catalogues.po_path("web", locale_dir)
    po.write_text(po.read_text(encoding="utf-8").replace(
        'msgid "Saved %(n)s"\nmsgstr ""', 'msgid "Saved %(n)s"\nmsgstr "已保存 %(m)s"'), encoding="utf-8")
    try:
        catalogues.compile_area("web", locale_dir=locale_dir)
    except ValueError as exc:
        assert "web.po" in str(exc)
    else:
        raise AssertionError("a translation with another parameter compiled")
    assert not po.with_suffix(".mo").exists()
    po.write_text(po.read_text(encoding="utf-8").replace("%(m)s", "%(n)s"), encoding="utf-8")
    mo = catalogues.compile_area("web", locale_dir=locale_dir)
    assert mo is not None and mo.is_file()


def test_a_po_without_its_mo_is_compiled_in_memory(tmp_path):
    # An installed wheel carries the .po files only.
    folder = tmp_path / "zh_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "web.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        'msgid "Review queue"\nmsgstr "待审核队列"\n\n#, fuzzy\nmsgid "Dashboard"\nmsgstr "仪表盘"\n', encoding="utf-8")
    loaded = i18n.load_catalogue(folder, "web")
    assert loaded is not None and loaded.ugettext("Review queue") == "待审核队列"
    assert loaded.ugettext("Dashboard") == "Dashboard"  # a fuzzy guess is not used
    assert i18n.load_catalogue(folder, "reports") is None


def test_the_command_line_check_exits_1_naming_the_file(tmp_path):
    done = subprocess.run([sys.executable, "-m", "monitor.i18n.catalogues", "check", "nosuch"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "no area 'nosuch'" in done.stderr
    done = subprocess.run([sys.executable, "-m", "monitor.i18n.catalogues", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Example:" in done.stdout
