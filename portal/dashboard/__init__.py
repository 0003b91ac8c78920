"""The programme lead's dashboard, year-on-year figures, the annual report and CSV exports."""
