"""The fleet (issue 17): many portals audited by procrastinate workers on many machines, one
PostgreSQL database holding the queue, the portal registry and the fact store."""
