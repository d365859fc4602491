"""``sitecheck serve``: audits, rechecks and home-page availability probes on a schedule.

Modules: ``portals`` (which portals, validated config), ``schedule`` (triggers and the
scheduler; the only module importing APScheduler), ``runner`` (the service), ``crawljob`` (an
audit or recheck in a worker thread), ``probe`` (one availability probe), ``availability``
(the rolling 7-day failure ratio; pure), ``notify`` (e-mail and webhook), ``retention`` (old
report folders), ``commands`` (``serve``, ``schedule``, ``status``). Nothing is imported here,
so the report builder can use ``availability`` without loading the scheduler.
"""

JOBS = ("audit", "recheck", "probe")  # what a portal's schedule runs: full audit, recheck, home-page probe
