"""The three visits (三访): visit rules, who is due when, visit logs, coverage."""
