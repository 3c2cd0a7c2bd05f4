"""Writing, previewing and viewing letters."""
