"""The resource finder: an HSDS-compatible directory of help near a resident.

Modules: ``models`` (tables), ``categories`` (what residents ask for, as data), ``places`` (ZIP
codes and points, offline), ``schedules`` (opening hours), ``search`` (nearest first, with a
bounding-box prefilter), ``importer``/``exporter`` (HSDS folders and the flat template),
``present`` (SMS-sized result pages), ``actions`` (what flows call), ``cli``.
None of it knows about Flask, Twilio or Telegram.
"""
