"""Presence: commands, card actions, the jobs (imports, check-in cards), meeting-chat events,
personal data."""

from __future__ import annotations

from cards.presence import PresenceVerb
from dialogs.feature import Action, Command
from dialogs.presence import handlers, jobs, privacy
from dialogs.roles import Role

COMMANDS = (
    Command("presence", handlers.show_attendance, in_manifest=True),
    Command("presence.import", handlers.import_command, Role.ANIMATEUR),
    Command("presence.code", handlers.show_code, Role.ANIMATEUR),
    Command("presence.export", handlers.export_year, Role.ANIMATEUR),
    Command("certificate", handlers.show_certificates, in_manifest=True),
    Command("certificate.verify", handlers.verify_certificate, Role.ANIMATEUR),
)

ACTIONS = (
    Action(PresenceVerb.checkin, handlers.checkin),
    Action(PresenceVerb.reveal_code, handlers.reveal_code, Role.ANIMATEUR),
    Action(PresenceVerb.meeting, handlers.open_meeting, Role.ANIMATEUR),
    Action(PresenceVerb.correct, handlers.correct, Role.ANIMATEUR),
    Action(PresenceVerb.assign, handlers.assign, Role.ANIMATEUR),
    Action(PresenceVerb.import_now, handlers.import_action, Role.ANIMATEUR),
    Action(PresenceVerb.export, handlers.export_meeting, Role.ANIMATEUR),
    Action(PresenceVerb.send_certificates, handlers.send_certificates, Role.ANIMATEUR),
    Action(PresenceVerb.certificates, handlers.certificates_action),
)

plan_jobs = jobs.plan_jobs
on_meeting_event = handlers.on_meeting_event
member_data = privacy.member_data
forget_member = privacy.forget_member
