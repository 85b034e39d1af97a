"""The admin pages; each module registers its routes on the blueprint."""

from . import audit_log, conversations, dashboard, flags, needs, resources, surveys  # noqa: F401
