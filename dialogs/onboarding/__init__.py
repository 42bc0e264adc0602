"""Onboarding: the welcome dossier, member profiles and the rules of the frame, mentors and
follow-ups, arrivals and departures, the roster, « qui peut m'aider ? » and each member's data."""
