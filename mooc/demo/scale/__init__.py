"""`flask demo scale`: national-scale generated data (schools, classes, pupils and their
learning, a course of many learners, a university's long queue) for benchmarks and load tests."""
