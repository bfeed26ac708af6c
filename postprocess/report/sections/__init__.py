"""Section builders of report.html, one module per section (each returns None without its data)."""
