"""Authoring: teachers write, version and publish courses; course packages in and out."""
