"""The fleet (issue 17): many portals audited by procrastinate workers on many machines, one
PostgreSQL database holding the queue, the portal registry and the fact store."""

# A worker's heartbeat (procrastinate's default), and how long a silent worker is taken for dead
# (six missed heartbeats) before its jobs are retried by another.
HEARTBEAT_SECONDS = 10.0
STALLED_SECONDS = 60.0
