"""Handling a case: state changes, activities, edits, the case view, attachments, deadlines."""
