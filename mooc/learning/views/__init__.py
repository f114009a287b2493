"""Learning's pages, one module per audience: `student` (course, lectures, dashboard), `quiz`
(taking a quiz) and `teacher` (a course's learners)."""
