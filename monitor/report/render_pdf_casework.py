"""The PDF's key-period and casework sections (the HTML's report_key_periods.html and
report_casework.html): campaigns in the period, complaints handled, samples and their
estimates, referrals by state and outcome. ``pdf`` is a render_pdf.ReportPDF."""

from __future__ import annotations

from typing import Any

from monitor.i18n import gettext as _


def key_periods_section(pdf: Any, data: dict[str, Any], charts: dict[str, bytes | None]) -> None:
    pdf.section(_("Key periods"), keep_with=pdf.chart_min(charts.get("key_periods")))
    if not data["key_periods"]:
        pdf.text_para(_("No campaign of monitor.yaml falls in this period."))
        return
    pdf.chart(charts.get("key_periods"))
    pdf.numbers_table([_("campaign"), _("window in this period"), _("flagged"), _("confirmed"), _("notices sent")],
                      [[k["title"], k["window"], k["flagged"], k["confirmed"], k["notices"]]
                       for k in data["key_periods"]], (48, 70, 22, 22, 22), {2, 3, 4})


def casework_section(pdf: Any, data: dict[str, Any], charts: dict[str, bytes | None]) -> None:
    cw = data["casework"]
    unavailable = _("Not available in this version.")
    whole = ""
    if cw["regional_note"]:
        pdf.note(_("Complaints, samples and referrals below are the whole office's, not only this region's."))
        whole = _("(whole office, not only %(region)s)", region=data["region"].name)
        whole = whole if whole.startswith("（") else " " + whole  # a full-width bracket needs no space
    pdf.section(_("Complaints handled") + whole)
    c = cw["complaints"]
    if c is None:
        pdf.text_para(unavailable)
    else:
        pdf.numbers_table(["", data["period"].label], [
            [_("complaints received"), c.get("received")], [_("answered in time"), c.get("answered_in_time")],
            [_("answered late"), c.get("answered_late")], [_("open past their deadline"), c.get("overdue")],
        ], (120, 70), {1})
        if c.get("by_source"):
            pdf.numbers_table([_("source"), _("received")], [[k, n] for k, n in c["by_source"]],
                              (120, 70), {1})
    pdf.section(_("Random sampling") + whole)
    s = cw["sampling"]
    if s is None:
        pdf.text_para(unavailable)
    elif not s["rows"]:
        pdf.text_para(_("No sample was drawn in this period."))
    else:
        pdf.text_para(s["samples_text"] + " " + _("A listing drawn in more than one sample is checked, and counted, "
                                                  "once per draw: draws are counted, then the distinct listings they "
                                                  "are."))
        pdf.text_para(_("Recall: of the sampled listings analysts confirmed, the share the rules had flagged. "
                        "Precision: of the sampled flagged listings decided, the share confirmed. Wilson %(level)s "
                        "intervals in brackets.", level="95%"))
        pdf.numbers_table([_("category"), _("draws"), _("distinct listings"), _("decided"), _("confirmed"),
                           _("missed by the rules"), _("recall"), _("precision")],
                          [[r["label"], r["sampled"], r["listings"], r["decided"], r["confirmed"], r["missed"],
                            r["recall_text"], r["precision_text"]] for r in s["rows"]],
                          (36, 16, 18, 16, 16, 20, 31, 31), {1, 2, 3, 4, 5, 6, 7})
    pdf.section(_("Referrals") + whole)
    rf = cw["referrals"]
    if rf is None:
        pdf.text_para(unavailable)
        return
    pdf.numbers_table([_("state"), _("referrals")], [list(row) for row in rf["by_state"]], (120, 70), {1})
    pdf.numbers_table([_("outcome"), _("referrals")],
                      [list(row) for row in rf["by_outcome"]]
                      + [[_("administrative penalties, total amount"), rf["penalty_text"]],
                         [_("active referrals reaching the criminal threshold"), rf["over_threshold"]]],
                      (120, 70), {1})
    if rf.get("closed"):
        pdf.numbers_table([_("referral"), _("receiving authority"), _("outcome"), _("penalty"), _("closed on")],
                          [[r["reference"], r["authority"], r["outcome_label"], r["penalty_text"], r["closed_on"]]
                           for r in rf["closed"]], (30, 60, 45, 30, 25), {3})
