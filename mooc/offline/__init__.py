"""Learning offline (issue #11): the installable app (web manifest, service worker), a course's
offline bundle for its enrolled pupils, the quizzes teachers make available offline, and the
idempotent sync of progress made on the device."""
