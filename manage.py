#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import secrets
import sys

KEYLESS_COMMANDS = {"makemigrations", "showmigrations"}
"""Commands that only read the code and the migration history: they never sign anything, so on a fresh checkout
(no .env, no SECRET_KEY) they run with a throwaway key instead of stopping. Every other command still needs one."""

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(sys.argv) > 1 and sys.argv[1] in KEYLESS_COMMANDS:
        os.environ.setdefault("SECRET_KEY", "throwaway-" + secrets.token_urlsafe(40))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
