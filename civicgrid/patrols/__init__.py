"""Voluntary patrol teams (义务巡逻队): members, areas, shifts, findings, hours."""
