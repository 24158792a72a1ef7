"""Messages of the console's settings, voucher and delegation pages (``locale/``), kept apart
from ``web/console/locale`` so the two can be edited independently. ``web.i18n.web_catalogs``
loads them like every web sub-package with a ``locale`` folder."""
