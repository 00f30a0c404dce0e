"""Check-ins a person asks for: a reliable shoulder over the weeks (issue 16)."""
