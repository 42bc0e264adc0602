"""Meetings (rencontres): planning, the channel card with RSVPs, reminders, invites, and what
the bot does in the meeting chat."""
