"""Domain services: rules over the store. No Slack imports here."""
