"""Pure domain rules: calendar and deadlines, procedures, states, validation."""
