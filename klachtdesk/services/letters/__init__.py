"""Letters: composing, templates, the choices offered, the archive of final letters."""
