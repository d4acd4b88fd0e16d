"""Follow-up of commitments (issue #6): what the screens, the reminder command and the
indicators read. The state machine is on ``dialogues.models.Commitment``; the writes are in
``dialogues.services.follow_up`` and ``dialogues.services.reminders``."""
