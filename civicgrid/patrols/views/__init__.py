"""Patrol pages, phone first. Thin: parse, check, one service or selector, render."""
