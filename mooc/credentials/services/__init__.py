"""The credentials feature's writes, one module per operation family: `issuing` (the one signing
pipeline and course records), `pending` (the batch job), `transcripts`, `revoking`, `sharing`,
and what they rest on: issuer `keys`, revocation `status_lists`, `signing` (also in worker
processes). They take a session and values, flush, raise domain errors, and never commit.
"""
