"""Date formats per language (FORMAT_MODULE_PATH). English keeps the year-month-day order and 24-hour
times that the rest of the product's pages and the Chinese formats use: Django's American default,
12/03/2026 9:13 p.m., reads as the 12th of March to most English readers here."""
