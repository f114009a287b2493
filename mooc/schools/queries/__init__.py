"""Reads of the school layer: the directory, the pupil's to-do, class and quiz reports."""
