"""Registering complaints: the intake flow, admissibility questions, imports."""
