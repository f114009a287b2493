"""SCORM 1.2 and 2004 packages as lectures: import, a runtime bridged across origins, tracking."""
