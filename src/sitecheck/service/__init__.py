"""``sitecheck serve``: audits, rechecks and home-page availability probes on a schedule.

Modules: ``portals`` (which portals, validated config), ``schedule`` (triggers and the
scheduler; the only module importing APScheduler), ``runner`` (the service), ``crawljob`` (an
audit or recheck in a worker thread), ``probe`` (one availability probe), ``notify``
(e-mail and webhook), ``retention`` (old report folders), ``commands`` (``serve``,
``schedule``, ``status``). The availability ratio is a judgement: ``sitecheck.judge.availability``.
"""

from sitecheck.models import Job

JOBS = tuple(Job)  # what a portal's schedule runs: full audit, recheck, home-page probe
