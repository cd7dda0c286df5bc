"""The project: settings, the root URLconf and the WSGI entry point. The kernel of shared code is lms/."""
