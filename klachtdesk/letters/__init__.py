"""Official letters rendered with ReportLab: data in, PDF bytes out."""
