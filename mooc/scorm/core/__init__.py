"""Pure SCORM rules: the manifest, the package's zip, the runtime's data (no Flask, no ORM)."""
