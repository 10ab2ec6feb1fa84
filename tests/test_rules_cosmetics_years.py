"""The years of cosmetics approval numbers, as the regulators issued them: the Ministry of Health's
卫妆特字 / 卫妆特进字 from 1990 (化妆品卫生监督条例) until cosmetics approval passed to the drug regulator
in 2008, whose numbers are 国妆特字G / 国妆特进字J (not "before 2004", as the rule once said)."""

from __future__ import annotations

import pytest

from monitor.i18n import use_locale
from monitor.rules.explain import explain
from tests.test_rules_regulatory import CHECKS, cosm, names, one

MAKER = {"生产企业": "汕头市某化妆品厂"}


def test_the_legacy_rule_names_the_ministry_and_its_years_not_2004():
    ident = CHECKS.get("cosmetics").identifiers["cosmetic_legacy_special"]
    assert "2004" not in ident.name and "2004" not in ident.name.zh
    assert "1990 to 2008" in ident.name and "原卫生部核发，1990 年至 2008 年" in ident.name.zh


@pytest.mark.parametrize("number", ["卫妆特字（2008）第0456号", "卫妆特字(1999)第0123号", "卫妆特进字（2005）第0011号"])
def test_a_legacy_number_of_the_ministrys_years_is_legacy_only(number):
    assert names(cosm("某品牌 润肤霜", 批准文号=number, **MAKER)) == ["regulatory_legacy"]


@pytest.mark.parametrize("number,year", [("卫妆特字（2015）第0456号", 2015), ("卫妆特进字（2012）第0011号", 2012)])
def test_a_legacy_number_dated_after_the_hand_over_cannot_be_right(number, year):
    signal = one(cosm("某品牌 润肤霜", 批准文号=number, **MAKER), "regulatory_malformed")
    assert f"passed to the drug regulator in 2008, so none is dated {year}" in signal.explanation
    with use_locale("zh_CN"):
        assert f"「{number}」：原卫生部的卫妆特字批准文号已于 2008 年化妆品审批职能划转药品监管部门后停发，此后年份的此类文号不可能存在" \
            in explain(signal)


def test_a_legacy_number_before_the_1990_regulation_cannot_be_right():
    assert "regulatory_malformed" in names(cosm("某品牌 润肤霜", 批准文号="卫妆特字（1985）第0456号", **MAKER))


@pytest.mark.parametrize("number,malformed", [("国妆特字G20050123", True), ("国妆特进字J20060583", True),
                                              ("国妆特字G20100123", False), ("国妆特进字J20170583", False)])
def test_a_g_or_j_number_is_no_older_than_the_regulator_issuing_it(number, malformed):
    assert ("regulatory_malformed" in names(cosm("某品牌 防晒霜 SPF50", 注册证号=number, **MAKER))) is malformed
