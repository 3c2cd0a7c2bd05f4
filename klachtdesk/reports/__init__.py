"""The half-year evaluation report rendered with ReportLab: data in, PDF/CSV out."""
