"""Pure rules and value types: no store, no Slack, no clock but the one passed in."""
