"""Polls and surveys (sondages): needs analysis, satisfaction, date finding."""
