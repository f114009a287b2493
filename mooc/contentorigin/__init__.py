"""The content origin: a second, small WSGI app that serves SCORM package files (untrusted HTML
and JavaScript) from storage on an origin of their own, so they never run with the platform's
cookies, pages or API. Access is a short-lived signed token in the path; there is no session."""
