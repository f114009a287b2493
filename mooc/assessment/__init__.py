"""Assessment: quizzes, question types, attempts and grading."""
