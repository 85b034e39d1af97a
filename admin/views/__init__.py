"""The admin pages; each module registers its routes on the blueprint."""

from . import (  # noqa: F401
    audit_log,
    broadcasts,
    conversations,
    dashboard,
    datawalk,
    events,
    flags,
    needs,
    resources,
    surveys,
    voice,
)
