"""The rule packs in force (`monitor.scoring.active`): the last good version after a broken edit."""

from __future__ import annotations

import shutil
import tempfile

from monitor.rules.packs import load_packs
from monitor.scoring.active import active_engine, active_packs, last_good, remember
from tests.conftest import ROOT


def _versions(tmp_path):
    """Two valid rule folders (a comment apart: a different version) and a broken one."""
    old = tmp_path / "old"
    shutil.copytree(ROOT / "rules", old)
    new = tmp_path / "new"
    shutil.copytree(ROOT / "rules", new)
    with open(new / "scoring.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n# a later edit\n")
    broken = tmp_path / "broken"
    shutil.copytree(ROOT / "rules", broken)
    (broken / "scoring.yaml").write_text("llr: [unclosed\n", encoding="utf-8")
    return old, new, broken


def test_last_good_is_the_version_used_last_even_after_reverting_to_an_older_one(db, tmp_path):
    old, new, broken = _versions(tmp_path)
    old_packs, new_packs = load_packs(old), load_packs(new)
    assert old_packs.version != new_packs.version
    remember(db, old_packs)
    remember(db, new_packs)
    assert last_good(db).version == new_packs.version
    remember(db, old_packs)  # the edit is reverted: the older version is in force again
    assert last_good(db).version == old_packs.version
    packs, problem = active_packs(db, broken)
    assert problem is not None and packs.version == old_packs.version
    assert db.execute("SELECT count(*) FROM rule_versions").fetchone()[0] == 2  # one row per version


def test_last_good_leaves_no_folder_behind_and_its_engine_still_scores(db, tmp_path, monkeypatch):
    old, _, broken = _versions(tmp_path)
    remember(db, load_packs(old))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where mkdtemp and TemporaryDirectory write
    engine, problem = active_engine(db, broken)
    assert problem is not None and engine is not None
    assert list(scratch.iterdir()) == []
    result = engine.assess({"site": "s", "listing_id": "1", "url": "https://s.example/1", "title": "Lancome serum",
                            "category": "cosmetics"})
    assert result.rules_version == engine.packs.version
