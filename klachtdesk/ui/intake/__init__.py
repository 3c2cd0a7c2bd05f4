"""The intake wizard for a new complaint."""
