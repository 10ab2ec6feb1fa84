"""Enforcement casework beyond the review queue (issue 14): complaint intake (投诉举报线索),
双随机 random sampling, the referral lifecycle (线索移送). A service layer like ``review``: it
uses the store, crawl and scoring below it, and the web app and CLI call it."""
