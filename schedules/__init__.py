"""The scheduler (`scheduler`), the leader lock (`leader`), the jobs (`jobs`) and the claim of
rendered notifications in the outbox (`claims`). Nothing is imported here: `bot.bootstrap` wires
`claims` into the services, and `jobs` reads those services."""
