"""Learning: the student's path through a course — course page, lectures, progress, completion."""
