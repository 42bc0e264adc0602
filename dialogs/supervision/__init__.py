"""Ad hoc clinical supervision: requests routed to animateurs and resource persons."""
