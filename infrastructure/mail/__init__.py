"""Mail delivery: templates, the SMTP and file transports, the outbox dispatcher."""
